"""Legal documents registry — cơ sở dữ liệu văn bản quy phạm pháp luật.

Documents (number, type, issuer, dates, title, full text, status) and the relations between
them (amends, replaces, guides, based on), loaded from the shared corpus, searchable by
folded full text on SQLite and PostgreSQL, public to read and edited by registry owners.
See docs/legal.md.
"""
