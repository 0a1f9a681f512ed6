Feature: Invalid batch requests are rejected and change nothing
  A batch body that is invalid as a whole may be rejected at submission (any 4xx) or
  accepted as a task that ends FAILED or REJECTED; either way no access changes (the
  catalogue's interpretation). Each body below names one disposable PPU access where
  it says ACCESS-ID, so that a server that wrongly applies it has something to change;
  RANDOM-PASSWORD-73-BYTES stands for a fresh random password of 73 ASCII bytes, one
  over the limit.

  @mutating
  Scenario Outline: An invalid batch is rejected and the access is unchanged
    Given a disposable PPU access
    When I submit the batch body '<body>'
    Then the batch is rejected, at submission or as a task that ends FAILED or REJECTED
    And the access is unchanged

    @SAM-BT-03
    Examples: operationType other than update or terminate, or missing
      | body                                                                                           |
      | {"operationType":"delete","accessesIdList":["ACCESS-ID"],"operationBody":{"status":"SUSPENDED"}} |
      | {"operationType":"UPDATE","accessesIdList":["ACCESS-ID"],"operationBody":{"status":"SUSPENDED"}} |
      | {"operationType":"","accessesIdList":["ACCESS-ID"],"operationBody":{}}                           |
      | {"operationType":null,"accessesIdList":["ACCESS-ID"],"operationBody":{}}                         |
      | {"accessesIdList":["ACCESS-ID"],"operationBody":{"status":"SUSPENDED"}}                          |

    @SAM-BT-03 @destructive
    Examples: an operationType a lenient server could read as terminate (a wrong answer would terminate the access)
      | body                                                                              |
      | {"operationType":["terminate"],"accessesIdList":["ACCESS-ID"],"operationBody":{}} |

    @SAM-BT-04
    Examples: accessesIdList missing, empty, or not an array of strings
      | body                                                                                        |
      | {"operationType":"update","operationBody":{"status":"SUSPENDED"}}                           |
      | {"operationType":"update","accessesIdList":[],"operationBody":{"status":"SUSPENDED"}}       |
      | {"operationType":"update","accessesIdList":null,"operationBody":{"status":"SUSPENDED"}}     |
      | {"operationType":"update","accessesIdList":"ACCESS-ID","operationBody":{"status":"SUSPENDED"}} |
      | {"operationType":"update","accessesIdList":["ACCESS-ID",42],"operationBody":{"status":"SUSPENDED"}} |
      | {"operationType":"update","accessesIdList":["ACCESS-ID",null],"operationBody":{"status":"SUSPENDED"}} |
      | {"operationType":"update","accessesIdList":[{"id":"ACCESS-ID"}],"operationBody":{"status":"SUSPENDED"}} |

    @SAM-BT-05
    Examples: an update operationBody that breaks the single-update rules
      | body                                                                                                    |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"]}                                              |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{}}                           |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{"status":null}}              |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{"status":"active"}}          |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{"status":"PENDING_TERMINATE"}} |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{"username":"batch-user"}}    |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{"password":12345}}           |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":{"status":"SUSPENDED","password":"RANDOM-PASSWORD-73-BYTES"}} |
      | {"operationType":"update","accessesIdList":["ACCESS-ID"],"operationBody":"SUSPENDED"}                  |

    @SAM-BT-06 @destructive
    Examples: a terminate operationBody other than exactly {} (a wrong answer would terminate the access)
      | body                                                                                          |
      | {"operationType":"terminate","accessesIdList":["ACCESS-ID"],"operationBody":{"status":"TERMINATED"}} |
      | {"operationType":"terminate","accessesIdList":["ACCESS-ID"],"operationBody":{"endDateTime":"2030-01-01T00:00:00Z"}} |
      | {"operationType":"terminate","accessesIdList":["ACCESS-ID"],"operationBody":[]}               |
      | {"operationType":"terminate","accessesIdList":["ACCESS-ID"],"operationBody":null}             |

  @SAM-BT-02 @SAM-BT-10 @mutating
  Scenario Outline: A batch sent with another content type is rejected without effect, or processed as sent
    The catalogue does not say what content type a batch needs (the wire sends
    application/json), so the harness holds the target only to consistency: rejected
    with nothing changed, or a task that ends and, when DONE, shows the change.
    Given 1 disposable PPU access
    When I submit a batch "update" of those accesses with operation body '{"status":"SUSPENDED"}' and content type <content type>
    Then the batch is rejected without effect, or processed with every PPU access of the batch now at status "SUSPENDED"

    Examples:
      | content type                        |
      | "text/plain"                        |
      | "application/x-www-form-urlencoded" |
      | none                                |
