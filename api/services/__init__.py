"""Services: keyword-only functions holding the logic, grouped by what they act on."""
