Feature: Paging through the list
  GET /{tenantName}/access returns the current page only. X-Total-Count and the
  RFC 8288 Link header (first, last, next, prev; each URL with pageNumber and pageSize)
  describe the pages, and following rel="next" from page 1 visits every access exactly
  once, ending on the page rel="last" names. Each walk is compared with the tenant's
  list walked at the largest page size.

  @SAM-PG-01 @SAM-PG-02 @SAM-PG-03 @SAM-PG-04 @SAM-PG-05 @SAM-PG-06 @SAM-PG-08 @readonly
  Scenario Outline: Following next in pages of <size> visits every access exactly once
    Given the tenant's accesses, walked at the largest page size
    When I walk the list in pages of <size>
    Then the walk broke no paging rule

    Examples:
      | size                          |
      | 1                             |
      | 7                             |
      | the server's maximum          |
      | one past the server's maximum |

  @SAM-PG-09 @readonly
  Scenario: A filter that matches nothing gives an empty page
    When I list with a filter that matches no access
    Then the answer is an empty page with X-Total-Count 0 whose first and last links name page 1

  @SAM-PG-11 @readonly
  Scenario Outline: A page past the last is empty and keeps the total
    When I list page <page> in pages of 7
    Then the page is empty and has the same X-Total-Count

    Examples:
      | page              |
      | one past the last |
      | 1000000           |

  @SAM-PG-10 @readonly
  Scenario Outline: An invalid paging value is rejected with 400
    When I list with <parameter> set to "<value>"
    Then the paging value is rejected with 400

    Examples:
      | parameter  | value |
      | pageNumber | 0     |
      | pageNumber | -1    |
      | pageNumber | abc   |
      | pageSize   | 0     |
      | pageSize   | -1    |
      | pageSize   | abc   |
