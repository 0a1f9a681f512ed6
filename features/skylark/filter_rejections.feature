Feature: Unsupported or malformed filters are rejected
  A filter outside the catalogue's grammar (an order operator on a text field, a
  condition without an operator or a value, a dangling "&" or ";", a date-time that is
  not RFC 3339, createdAt written as a date) SHOULD be answered 400. These scenarios
  send each expression as written and need none of the tenant's data, so unlike the
  other filter scenarios they do not walk the list first.

  @SAM-FL-08 @readonly
  Scenario Outline: The unsupported or malformed filter `<expression>` is rejected with 400
    When I list with the filter "<expression>"
    Then the filter is rejected with 400

    Examples:
      | expression                        |
      | contractId>5                      |
      | name<x                            |
      | username>=a                       |
      | productOfferingId<=PRP            |
      | createdBy>job                     |
      | contractId                        |
      | =x                                |
      | contractId=1&                     |
      | ;contractId=1                     |
      | startDateTime>yesterday           |
      | startDateTime>2024-13-01T00:00:00Z |
      | createdAt=2024-05-01              |
      | endDateTime<2024-05-01 12:00:00Z  |
