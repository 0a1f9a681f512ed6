Feature: Authentication on every endpoint
  A request with no Authorization header, or with a bearer token the server did not
  issue, gets 401 and has no effect (SAM-CM-01).

  @SAM-CM-01 @readonly
  Scenario Outline: Reading without a valid token is refused
    Given an existing access of the tenant
    When I call the <endpoint> endpoint <credential>
    Then the request is refused as unauthenticated

    Examples:
      | endpoint | credential            |
      | list     | without a token       |
      | list     | with an invalid token |
      | read     | without a token       |
      | read     | with an invalid token |
      | task     | without a token       |
      | task     | with an invalid token |

  @SAM-CM-01 @mutating
  Scenario Outline: Changing without a valid token is refused and changes nothing
    Given a disposable PPU access
    When I call the <endpoint> endpoint <credential>
    Then the request is refused as unauthenticated
    And the access is unchanged

    Examples:
      | endpoint | credential            |
      | update   | without a token       |
      | update   | with an invalid token |
      | batch    | without a token       |
      | batch    | with an invalid token |
