"""Performance benchmarks: our app measured side by side with the real Anki library."""
