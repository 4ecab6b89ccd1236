"""openbook: validate, package, publish and compare UK open-book data."""
__version__ = "0.1.0"
