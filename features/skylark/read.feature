Feature: Read one access
  GET /{tenantName}/access/{accessId} returns one access of the tenant, or 404.

  @SAM-RD-01 @readonly
  Scenario: An existing access reads back as itself
    Given an existing access of the tenant
    When I read the access
    Then the response is the access itself

  @SAM-RD-02 @readonly
  Scenario: An unknown access id is not found
    When I read an access that does not exist
    Then the response status is 404

  @SAM-RD-03 @readonly
  Scenario: Reading one access never shows a password
    Given an existing access of the tenant
    When I read the access
    Then the response status is 200
    And the response has no "password" field at any depth

  @SAM-RD-03 @readonly
  Scenario: Listing accesses never shows a password
    When I list the accesses with page size 100
    Then the response status is 200
    And the response has no "password" field at any depth

  @SAM-RD-03 @readonly
  Scenario: No access on any page of the list shows a password
    When I walk the whole list
    Then no access in the list has a "password" field at any depth

  @SAM-RD-04 @readonly
  Scenario: Reading one access never shows createdAt
    Given an existing access of the tenant
    When I read the access
    Then the response status is 200
    And the response has no "createdAt" field at any depth

  @SAM-RD-04 @readonly
  Scenario: No access on any page of the list shows createdAt
    When I walk the whole list
    Then no access in the list has a "createdAt" field at any depth

  @SAM-RD-05 @readonly
  Scenario: Reading one access shows a status from the catalogue
    Given an existing access of the tenant
    When I read the access
    Then the response status is 200
    And the access has a status from the catalogue

  @SAM-RD-05 @readonly
  Scenario: Every access in the list has a status from the catalogue
    When I walk the whole list
    Then every access in the list has a status from the catalogue

  @SAM-RD-06 @readonly
  Scenario: An access reads the same alone as in the list
    When I walk the whole list
    Then each sampled access reads the same alone as in the list
