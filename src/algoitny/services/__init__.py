"""Work that spans repositories, the queue and the executor; routes and jobs call it."""
