"""The serve stage: `openbook serve`, the checks and the catalogue in a local web page.
It sits on top of every other stage, beside the command line."""
