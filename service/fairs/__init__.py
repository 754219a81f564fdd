"""The fair domain, together: events, participants, spreadsheet imports, match lists, meeting
requests, plans, agendas and outcomes — tables (`tables`), queries (`store`), use-cases
(`usecases/`), routes (`api`) and CLI commands (`cli`) — with the pure meeting scheduler in
`scheduling/`, which imports neither the database nor the web framework."""
