"""Case-file review (案卷评查, DOMAIN.md §9): sampling, reviewer assignment, scoring and grades."""
