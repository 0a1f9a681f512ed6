Feature: The password limit of an update is 72 bytes of UTF-8
  The limit counts UTF-8 bytes, not characters (SAM-UP-06), and a request with any
  invalid part changes nothing (SAM-UP-08). Each password is drawn at random in the
  shape shown: "N × ASCII" letters and digits, "N × 2-byte" characters like "é",
  "N × 3-byte" like "€", "N × 4-byte" like "🙂". The reports show it redacted with
  its byte and character counts; the curl commands carry a placeholder of the same
  shape.

  @SAM-UP-06 @SAM-UP-12 @mutating
  Scenario Outline: A password of at most 72 bytes is accepted
    Given a disposable PPU access
    When I patch the access with a password of <password> (<bytes> bytes, <characters> characters)
    Then the patch is accepted
    And the response shows the new password

    Examples:
      | password                             | bytes | characters |
      | 72 × ASCII                           | 72    | 72         |
      | 24 × 3-byte                          | 72    | 24         |
      | 70 × ASCII + 1 × 2-byte              | 72    | 71         |
      | 18 × 4-byte                          | 72    | 18         |
      | 17 × 4-byte + 4 × ASCII              | 72    | 21         |
      | 16 × 4-byte + 2 × 3-byte + 2 × ASCII | 72    | 20         |

  @SAM-UP-06 @mutating
  Scenario Outline: A password over 72 bytes is rejected, however few characters it has
    Given a disposable PPU access
    When I patch the access with a password of <password> (<bytes> bytes, <characters> characters)
    Then the patch is rejected and the access is unchanged

    Examples:
      | password                             | bytes | characters |
      | 73 × ASCII                           | 73    | 73         |
      | 25 × 3-byte                          | 75    | 25         |
      | 71 × ASCII + 1 × 2-byte              | 73    | 72         |
      | 24 × 3-byte + 1 × ASCII              | 73    | 25         |
      | 18 × 4-byte + 1 × ASCII              | 73    | 19         |
      | 17 × 4-byte + 1 × 3-byte + 2 × ASCII | 73    | 20         |

  @SAM-UP-08 @mutating
  Scenario Outline: A valid status beside an invalid password changes nothing
    Given a disposable PPU access
    When I patch the access with status "SUSPENDED" and a password of <password> (<bytes> bytes, <characters> characters)
    Then the patch is rejected and the access is unchanged

    Examples:
      | password                | bytes | characters |
      | 73 × ASCII              | 73    | 73         |
      | 25 × 3-byte             | 75    | 25         |
      | 71 × ASCII + 1 × 2-byte | 73    | 72         |

  @SAM-UP-08 @mutating
  Scenario Outline: A valid status beside an invalid property changes nothing
    Given a disposable PPU access
    When I patch the access with body '<body>'
    Then the patch is rejected and the access is unchanged

    Examples:
      | body                                     |
      | {"status":"SUSPENDED","password":12345}  |
      | {"status":"SUSPENDED","password":true}   |
      | {"status":"SUSPENDED","password":["x"]}  |
