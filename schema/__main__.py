"""Regenerate the committed SDL: ``python -m schema`` writes schema/schema.graphql."""

from schema.root import SDL_PATH, sdl

SDL_PATH.write_text(sdl(), encoding="utf-8")
print(f"wrote {SDL_PATH}")
