Feature: Fuzz: random filter expressions
  Property-based checks of the filter grammar (rapid): random valid expressions built
  from the tenant's own data, nested AND/OR written without parentheses, boundary
  instants, adversarial and malformed texts. Each property snapshots the tenant by
  walking the unfiltered list right before it runs, and checks the snapshot again
  after it; the oracle evaluates expressions over the snapshot. A counterexample is
  shrunk to a minimal expression and reported with its seed and a command line that
  replays it ('accessctk fuzz --seed S ...'). The same seed sends the same requests.

  @SAM-FZ-01 @SAM-FZ-02 @SAM-FZ-03 @readonly
  Scenario Outline: random filter expressions agree with the oracle
    When <checks> random filter expressions per property, nested up to depth <depth>, are checked with seed <seed>
    Then the target agrees with the oracle and the filter algebra on every one

    Examples:
      | checks | depth | seed |
      | 100    | 2     | 1    |
