"""Math web pages (OpenWebMath): WARC reading, math-aware HTML extraction, filtering, dedup."""
