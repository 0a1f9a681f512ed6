Feature: Update one access
  PATCH /{tenantName}/access/{id} with Content-Type application/merge-patch+json sets
  the password and/or the status of one access, answers with the updated access, and
  the change persists. Every scenario works on its own disposable Pay-Per-Use access
  from the fixtures (the TERMINATED one for SAM-UP-13), which the harness gives back
  as it was: a status it changed is restored and verified; a termination uses the
  access up. A body's "RANDOM-PASSWORD" stands for a fresh random password;
  reports show every password as "[redacted: N bytes, M chars]".

  @SAM-UP-01 @mutating
  Scenario Outline: A valid status change answers with the access showing the new status
    Given a disposable PPU access
    And the access has status <from>
    When I patch the access with body '{"status":"<to>"}'
    Then the update is answered with the access showing status <to>

    Examples:
      | from      | to        |
      | ACTIVE    | SUSPENDED |
      | ACTIVE    | ACTIVE    |
      | SUSPENDED | ACTIVE    |
      | SUSPENDED | SUSPENDED |

  @SAM-UP-01 @SAM-UP-09 @mutating @destructive @terminates
  Scenario Outline: A termination answers with the access TERMINATED, and it persists
    Given a disposable PPU access
    And the access has status <from>
    When I patch the access with body '{"status":"TERMINATED"}'
    Then the update is answered with the access showing status TERMINATED
    And a later read shows status TERMINATED

    Examples:
      | from      |
      | ACTIVE    |
      | SUSPENDED |

  @SAM-UP-01 @SAM-UP-12 @mutating
  Scenario: A password rotation and a status change in one body
    Given a disposable PPU access
    When I patch the access with body '{"status":"SUSPENDED","password":"RANDOM-PASSWORD"}'
    Then the update is answered with the access showing status SUSPENDED
    And the response shows the new password

  @SAM-UP-01 @mutating
  Scenario Outline: Media type parameters do not change the media type
    Given a disposable PPU access
    When I patch the access with content type "<content type>" and body '{"status":"SUSPENDED"}'
    Then the update is answered with the access showing status SUSPENDED

    Examples:
      | content type                                |
      | application/merge-patch+json; charset=utf-8 |

  @SAM-UP-02 @mutating
  Scenario Outline: Any other content type is rejected, preferably with 415
    Given a disposable PPU access
    When I patch the access with content type <content type> and body '{"status":"SUSPENDED"}'
    Then the patch is rejected and the access is unchanged
    And the rejection status SHOULD be 415

    Examples:
      | content type                        |
      | "application/json"                  |
      | "text/plain"                        |
      | none                                |
      | "application/json-patch+json"       |
      | "application/x-www-form-urlencoded" |

  @SAM-UP-09 @mutating
  Scenario Outline: A successful update persists
    Given a disposable PPU access
    And the access has status <from>
    When I patch the access with body '{"status":"<to>"}'
    Then a later read shows status <to>

    Examples:
      | from      | to        |
      | ACTIVE    | SUSPENDED |
      | SUSPENDED | ACTIVE    |

  @SAM-UP-10 @mutating
  Scenario: An unknown id is not found
    When I patch an access that does not exist with body '{"status":"SUSPENDED"}'
    Then the response status is 404

  @SAM-UP-12 @mutating
  Scenario: The answer to a rotation holds the new password, and no read ever does
    Given a disposable PPU access
    When I patch the access with a password of 24 × ASCII (24 bytes, 24 characters)
    Then the patch is accepted
    And the response shows the new password
    And later reads never show a password

  @SAM-UP-13 @mutating
  Scenario Outline: TERMINATED is permanent
    Given the terminated access
    When I patch the access with body '{"status":"<to>"}'
    Then the patch SHOULD be rejected and the access left unchanged

    Examples:
      | to        |
      | ACTIVE    |
      | SUSPENDED |

  @SAM-UP-14 @mutating
  Scenario Outline: Repeating a valid PATCH gives the same answer
    Given a disposable PPU access
    When I patch the access with body '<body>'
    And I send the same patch again
    Then both answers are the same

    Examples:
      | body                              |
      | {"status":"SUSPENDED"}            |
      | {"password":"RANDOM-PASSWORD"}    |
