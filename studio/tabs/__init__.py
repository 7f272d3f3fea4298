"""One module per tab: each builds its part of the page and holds its handlers."""
