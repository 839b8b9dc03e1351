"""The manuscript as the writer made it: book.yaml's validation, the chapter files, identifiers. The only stage
that reads the manuscript folder."""
