"""The student's history: answers in SQLite, and the numbers and review schedule drawn from it."""
