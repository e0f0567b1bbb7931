"""goodwill: a customer-care engine that finds the moments to give, decides, acts, and proves it pays."""

from goodwill.errors import GoodwillError

__version__ = "0.1.0"
__all__ = ["GoodwillError", "__version__"]
