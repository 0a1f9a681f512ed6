Feature: Filtering the list
  The filter parameter selects accesses by the catalogue's grammar: a condition is
  "field op value", "&" is AND, ";" is OR, and AND binds tighter. Text compares
  exactly and case-sensitively; date-times are RFC 3339 and compare as instants.
  Every scenario first walks the tenant's list without a filter and takes its values
  from that data, so it runs on any data set; where the data cannot exercise a rule
  the scenario is skipped with the reason, never passed. Results are compared with a
  local evaluation of the expression over that walk (returned fields only; createdAt,
  never returned, through its order laws).

  Background:
    Given the tenant's accesses, walked at the largest page size

  @SAM-FL-01 @readonly
  Scenario Outline: <field> <op> returns exactly the matching accesses
    When I filter on <field> <op> values taken from the data
    Then each result is exactly the accesses the expression matches

    Examples: text fields
      | field             | op |
      | contractId        | =  |
      | productOfferingId | =  |
      | createdBy         | =  |
      | name              | =  |
      | username          | =  |

    Examples: date-time fields
      | field         | op |
      | startDateTime | =  |
      | startDateTime | >  |
      | startDateTime | >= |
      | startDateTime | <  |
      | startDateTime | <= |
      | endDateTime   | =  |
      | endDateTime   | >  |
      | endDateTime   | >= |
      | endDateTime   | <  |
      | endDateTime   | <= |

  @SAM-FL-02 @readonly
  Scenario: a&b returns the intersection of a and b
    When I take two conditions a and b from the data that some accesses share
    Then a&b returns the intersection of a and b

  @SAM-FL-03 @readonly
  Scenario: a;b returns the union of a and b
    When I take two conditions a and b from the data that select different accesses
    Then a;b returns the union of a and b

  @SAM-FL-03 @readonly
  Scenario: AND binds tighter than OR
    When I take conditions a and b that some accesses share, and c that selects accesses outside a and b
    Then a&b;c returns the union of a&b and c
    And c;a&b returns the union of c and a&b

  @SAM-FL-04 @readonly
  Scenario: An unknown query parameter changes nothing
    When I walk the list with the unknown query parameter "accessctkUnknownParameter=1"
    Then the result is the same as without it

  @SAM-FL-04 @readonly
  Scenario: An unknown query parameter next to a filter changes nothing
    When I filter on a condition taken from the data, with the unknown query parameter "accessctkUnknownParameter=1" added
    Then the result is the same as without it

  @SAM-FL-04 @readonly
  Scenario: A condition on an unknown field alone is no filter
    When I filter on the unknown field condition "accessctkUnknownField=x" alone
    Then the result is the same as without it

  @SAM-FL-04 @readonly
  Scenario: A condition on an unknown field next to a known one is dropped
    When I filter on a condition taken from the data and on it with "&accessctkUnknownField=x" appended
    Then the result is the same as without it

  @SAM-FL-05 @readonly
  Scenario: createdAt, never returned, obeys the order laws
    When I probe createdAt at instants taken from the data, each written in several offsets
    Then createdAt<v and createdAt>=v are disjoint and together give every access
    And createdAt<=v and createdAt>v are disjoint and together give every access
    And createdAt=v gives exactly the accesses in both createdAt<=v and createdAt>=v
    And for v1 <= v2, createdAt>=v2 lies within createdAt>=v1 and createdAt<v1 within createdAt<v2
    And the same instant written in another offset gives the same accesses

  @SAM-FL-06 @readonly
  Scenario Outline: The value `<value>` in <field> is data, never syntax
    When I filter on <field> = `<value>`
    Then each result is exactly the accesses the expression matches

    Examples:
      | field             | value         |
      | name              | %             |
      | name              | _             |
      | name              | *             |
      | name              | .*            |
      | name              | a%c           |
      | name              | %25           |
      | name              | \\            |
      | name              | ' OR '1'='1   |
      | name              | " OR ""="     |
      | name              | x') --        |
      | name              | café          |
      | contractId        | %             |
      | contractId        | C10_          |
      | contractId        | 1200035908%   |
      | contractId        | [a]           |
      | username          | ^.*$          |
      | createdBy         | job%          |
      | productOfferingId | PRP_SKYRTK_%  |

  @SAM-FL-06 @readonly
  Scenario: The data's own values with metacharacters match only themselves
    When I filter on each value in the data that holds a quote, wildcard, backslash, space, regex character or non-ASCII letter
    Then each result is exactly the accesses the expression matches

  @SAM-FL-07 @SAM-PG-07 @readonly
  Scenario: Total and links describe the filtered set, and the links keep the filter
    When I walk a filter that matches several accesses in pages of 2
    Then the walk broke no paging rule

  @SAM-FL-09 @readonly
  Scenario: The page's raw filter form gives the same result as the encoded form
    When I take two conditions a and b from the data that some accesses share
    And I filter on a and b in the encoded and in the raw form
    Then both forms give the same accesses and the same X-Total-Count
