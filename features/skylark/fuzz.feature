Feature: Fuzz: random filter expressions
  Property-based checks of the filter grammar (rapid): random valid expressions built
  from the tenant's own data, nested AND/OR written without parentheses, boundary
  instants, adversarial and malformed texts. Each property snapshots the tenant by
  walking the unfiltered list right before it runs, and checks the snapshot again
  after it; the oracle evaluates expressions over the snapshot. A counterexample is
  shrunk to a minimal expression and reported with its seed and a command line that
  replays it ('accessctk fuzz --seed S ...'). The same seed sends the same requests.

  One scenario per property, so each rule is judged on its own and the three can run
  side by side with the other read-only scenarios.

  @readonly
  Scenario Outline: random filter expressions keep <property>
    When <checks> random filter expressions of <property>, nested up to depth <depth>, are checked with seed <seed>
    Then the property holds for every expression

    @SAM-FZ-01
    Examples: the target returns what the oracle computes over the snapshot
      | property  | checks | depth | seed |
      | SAM-FZ-01 | 100    | 2     | 1    |

    @SAM-FZ-02
    Examples: the filter algebra holds
      | property  | checks | depth | seed |
      | SAM-FZ-02 | 100    | 2     | 1    |

    @SAM-FZ-03
    Examples: nothing gets a 5xx, and a literal matches only itself
      | property  | checks | depth | seed |
      | SAM-FZ-03 | 100    | 2     | 1    |
