# Makes the standard installable as the data package ``openbook.standard``.
