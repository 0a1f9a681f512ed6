Feature: Tenant isolation
  An access of one tenant is invisible through another: reading it through the other
  tenant is 404, the other tenant's list never contains it, and updating it through
  the other tenant is 404 and changes nothing (SAM-CM-06; the batch parts are in
  batch.feature). These scenarios need a second tenant in the fixtures; without one
  they are reported as not run.

  @SAM-CM-06 @readonly
  Scenario Outline: An access of the <owner> tenant is not found through the other tenant
    Given a second tenant in the fixtures
    And an access of the <owner> tenant
    When the other tenant reads it through its own path
    Then the response status is 404

    Examples:
      | owner     |
      | primary   |
      | secondary |

  @SAM-CM-06 @readonly
  Scenario Outline: The other tenant's list never contains an access of the <owner> tenant
    Given a second tenant in the fixtures
    And an access of the <owner> tenant
    When the other tenant walks its own list
    Then the walk does not contain the access

    Examples:
      | owner     |
      | primary   |
      | secondary |

  @SAM-CM-06 @mutating
  Scenario: Updating an access through the other tenant is not found and changes nothing
    Given a second tenant in the fixtures
    And a disposable PPU access
    When the other tenant updates it through its own path
    Then the response status is 404
    And the access is unchanged
