Feature: What an update body may hold
  A PATCH body is one JSON object that sets at least one of "password" (a string) and
  "status" (ACTIVE, SUSPENDED or TERMINATED, case-sensitive), with no null and no other
  property. Anything else is rejected: a 4xx, and reading the access back shows no
  change. A body's "RANDOM-PASSWORD" stands for a fresh random password.

  @SAM-UP-03 @mutating
  Scenario Outline: A body that sets nothing is rejected
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch is rejected and the access is unchanged

    Examples:
      | body |
      | {}   |
      | { }  |
      |      |

  @SAM-UP-04 @mutating
  Scenario Outline: A null value is rejected
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch is rejected and the access is unchanged

    Examples:
      | body                                          |
      | {"password":null}                             |
      | {"status":null}                               |
      | {"status":"SUSPENDED","password":null}        |
      | {"password":"RANDOM-PASSWORD","status":null}  |
      | {"status":"SUSPENDED","deviceName":null}      |

  @SAM-UP-05 @mutating
  Scenario Outline: A body with no supported property is rejected, preferably with 400
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch is rejected and the access is unchanged
    And the rejection status SHOULD be 400

    Examples:
      | body                                      |
      | {"contractId":"accessctk-changed"}        |
      | {"username":"accessctk-changed"}          |
      | {"productOfferingId":"accessctk-changed"} |
      | {"deviceName":"accessctk-changed"}        |
      | {"name":"accessctk-changed"}              |
      | {"id":"accessctk-changed"}                |
      | {"createdBy":"accessctk-changed"}         |
      | {"startDateTime":"2030-01-01T00:00:00Z"}  |
      | {"endDateTime":"2030-01-01T00:00:00Z"}    |
      | {"Status":"SUSPENDED"}                    |
      | {"STATUS":"SUSPENDED"}                    |
      | {"PASSWORD":"RANDOM-PASSWORD"}            |
      | {"Password":"RANDOM-PASSWORD"}            |
      | {"accessctkUnknown":"x"}                  |

  @SAM-UP-05 @mutating
  Scenario Outline: An unsupported property beside a supported one never changes anything
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then nothing but the supported properties changed
    And the rejection status SHOULD be 400

    Examples:
      | body                                                           |
      | {"status":"SUSPENDED","contractId":"accessctk-changed"}        |
      | {"status":"SUSPENDED","username":"accessctk-changed"}          |
      | {"status":"SUSPENDED","productOfferingId":"accessctk-changed"} |
      | {"status":"SUSPENDED","deviceName":"accessctk-changed"}        |
      | {"status":"SUSPENDED","name":"accessctk-changed"}              |
      | {"status":"SUSPENDED","id":"accessctk-changed"}                |
      | {"status":"SUSPENDED","createdBy":"accessctk-changed"}         |
      | {"status":"SUSPENDED","startDateTime":"2030-01-01T00:00:00Z"}  |
      | {"status":"SUSPENDED","endDateTime":"2030-01-01T00:00:00Z"}    |
      | {"status":"SUSPENDED","accessctkUnknown":"x"}                  |
      | {"password":"RANDOM-PASSWORD","Status":"SUSPENDED"}            |
      | {"password":"RANDOM-PASSWORD","STATUS":"SUSPENDED"}            |

  @SAM-UP-07 @mutating
  Scenario Outline: A password that is not a JSON string is rejected
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch is rejected and the access is unchanged

    Examples:
      | body                       |
      | {"password":12345}         |
      | {"password":1.5}           |
      | {"password":true}          |
      | {"password":false}         |
      | {"password":{"value":"x"}} |
      | {"password":["x"]}         |

  @SAM-UP-07 @mutating
  Scenario Outline: A status that is not exactly ACTIVE, SUSPENDED or TERMINATED is rejected
    Given a disposable PPU access
    When I patch the access with body '{"status":<status>}'
    Then the patch is rejected and the access is unchanged

    Examples: case variants
      | status      |
      | "active"    |
      | "Active"    |
      | "aCTIVE"    |
      | "suspended" |
      | "Suspended" |
      | "sUSPENDED" |

    @destructive
    Examples: case variants of TERMINATED
      | status       |
      | "terminated" |
      | "Terminated" |
      | "tERMINATED" |

    Examples: statuses a client may not set, and other values
      | status              |
      | "PENDING_ACTIVE"    |
      | "PENDING_TERMINATE" |
      | "SUSPENDED "        |
      | ""                  |
      | 1                   |
      | ["SUSPENDED"]       |

  @SAM-UP-11 @mutating
  Scenario Outline: Malformed JSON, or JSON that is not an object, is rejected
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch is rejected and the access is unchanged

    Examples: malformed
      | body                                       |
      | {                                          |
      | {"status":"SUSPENDED"                      |
      | {"status":SUSPENDED}                       |
      | {"status":"SUSPENDED",}                    |
      | {"status":"SUSPENDED"}}                    |
      | {"status":"SUSPENDED"}x                    |
      | {"status":"SUSPENDED"} {"status":"ACTIVE"} |

    Examples: not an object
      | body                     |
      | null                     |
      | []                       |
      | [{"status":"SUSPENDED"}] |
      | "x"                      |
      | "SUSPENDED"              |
      | 42                       |
      | true                     |

  @SAM-UP-15 @mutating
  Scenario Outline: A repeated key is rejected rather than resolved silently
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch SHOULD be rejected and the access left unchanged

    Examples:
      | body                                                        |
      | {"status":"ACTIVE","status":"SUSPENDED"}                    |
      | {"password":"RANDOM-PASSWORD","password":"RANDOM-PASSWORD"} |
