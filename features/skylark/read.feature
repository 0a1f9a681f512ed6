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
