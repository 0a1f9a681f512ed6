Feature: Batch update and terminate of Pay-Per-Use accesses
  POST /{tenantName}/access/batchUpdate answers at once with a Task; the harness polls
  GET /{tenantName}/access/batch/{taskId} until the task is DONE, FAILED or REJECTED
  (within --task-timeout, honouring Retry-After), checking that its state never moves
  backwards and polling once more after the end to see it stay. A failing scenario
  shows the request, the task id, every state polled with its time, and the final task.
  Only fixture accesses are used: PPU accesses from the pool, each by one scenario;
  the non-PPU and other-tenant accesses are witnesses that a conformant server never
  changes, read before and after.

  @SAM-BT-01 @SAM-BT-02 @SAM-BT-09 @SAM-BT-10 @mutating
  Scenario Outline: A batch update applies to every PPU access in it
    Given <count> disposable PPU accesses
    When I submit a batch "update" of those accesses with operation body '<body>'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task is DONE with every access of the batch updated
    And every PPU access of the batch now has status "<status>"

    Examples:
      | count | body                                                | status    |
      | 3     | {"status":"SUSPENDED"}                              | SUSPENDED |
      | 2     | {"password":"RANDOM-PASSWORD"}                      | ACTIVE    |
      | 2     | {"status":"SUSPENDED","password":"RANDOM-PASSWORD"} | SUSPENDED |

  @SAM-BT-01 @SAM-BT-02 @SAM-BT-09 @SAM-BT-11 @mutating @destructive @terminates
  Scenario: A batch terminate ends PPU accesses at the end of the billing period
    Given 1 disposable PPU access
    When I submit a batch "terminate" of those accesses with operation body '{}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task is DONE with every access of the batch updated
    And every PPU access of the batch ends at the end of the current billing period

  @SAM-BT-07 @SAM-BT-09 @SAM-BT-10 @mutating
  Scenario: A non-PPU access in a batch update fails alone and is unchanged
    Given 2 disposable PPU accesses
    And a non-PPU access of the tenant
    When I submit a batch "update" of those accesses with operation body '{"status":"SUSPENDED"}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task updates the batch's own PPU accesses and fails every other item with its own error
    And every PPU access of the batch now has status "SUSPENDED"
    And every other access of the batch is unchanged

  @SAM-BT-08 @SAM-BT-09 @SAM-BT-10 @mutating
  Scenario: An unknown id in a batch update fails alone
    Given 2 disposable PPU accesses
    And an access id that does not exist
    When I submit a batch "update" of those accesses with operation body '{"status":"SUSPENDED"}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task updates the batch's own PPU accesses and fails every other item with its own error
    And every PPU access of the batch now has status "SUSPENDED"
    And every other access of the batch is unchanged

  @SAM-BT-08 @SAM-CM-06 @mutating
  Scenario: Another tenant's access in a batch fails alone, and the task is invisible to that tenant
    Given 1 disposable PPU access
    And an access of the other tenant
    When I submit a batch "update" of those accesses with operation body '{"status":"SUSPENDED"}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task updates the batch's own PPU accesses and fails every other item with its own error
    And every PPU access of the batch now has status "SUSPENDED"
    And every other access of the batch is unchanged
    And the other tenant cannot read the batch task

  @SAM-CM-06 @mutating
  Scenario: A batch under the other tenant naming this tenant's access fails that item and changes nothing
    Given 1 disposable PPU access
    When the other tenant submits a batch "update" of those accesses with operation body '{"status":"SUSPENDED"}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task updates the batch's own PPU accesses and fails every other item with its own error
    And every other access of the batch is unchanged

  @SAM-BT-07 @SAM-BT-08 @SAM-BT-09 @SAM-BT-10 @SAM-BT-13 @mutating
  Scenario: In a mixed batch update each item is judged on its own
    Given 2 disposable PPU accesses
    And a non-PPU access of the tenant
    And an access id that does not exist
    When I submit a batch "update" of those accesses with operation body '{"status":"SUSPENDED","password":"RANDOM-PASSWORD"}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task updates the batch's own PPU accesses and fails every other item with its own error
    And the task's result SHOULD name the access of every item error
    And every PPU access of the batch now has status "SUSPENDED"
    And every other access of the batch is unchanged

  @SAM-BT-07 @SAM-BT-08 @SAM-BT-09 @SAM-BT-11 @mutating @destructive @terminates
  Scenario: In a mixed batch terminate only the PPU access ends
    Given 1 disposable PPU access
    And a non-PPU access of the tenant
    And an access id that does not exist
    When I submit a batch "terminate" of those accesses with operation body '{}'
    Then the batch is accepted as a task
    And the task reaches a terminal state
    And the task updates the batch's own PPU accesses and fails every other item with its own error
    And every PPU access of the batch ends at the end of the current billing period
    And every other access of the batch is unchanged

  @SAM-BT-12 @readonly
  Scenario: An unknown task id is not found
    When I read a batch task that does not exist
    Then the response status is 404
