"""The look of every edition: templates, stylesheets, the book typeface and the generated cover image."""
