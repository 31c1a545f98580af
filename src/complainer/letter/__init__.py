"""A letter from its parts: the writer's details, the request, dates and country names, the composer."""
