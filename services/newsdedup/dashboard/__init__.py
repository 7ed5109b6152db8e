"""`newsdedup dashboard`: a live web page over the stories, stats and events topics."""
