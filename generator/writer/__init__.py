"""Write stage: rendered files -> public/ on disk, atomically, skipping unchanged files.

The writer alone touches the output folder. It records what it wrote (path -> SHA-256, size,
time, inputs' key) so that a rebuild rewrites only changed files (a CDN sync then uploads
only those) and removes only files a previous build wrote, never a file the brand put there
by hand.

- `_site.py`: files staged beside their targets (by the render workers too), then put in
  place, or a first build's staging folder renamed into place whole;
- `_record.py`: the record of what the last build wrote, read back by the next build;
- `_files.py`: a file written whole or not at all (temporary name, then rename).
"""

from __future__ import annotations

from generator.writer._files import write_atomic, write_private
from generator.writer._record import (
    MANIFEST_VERSION,
    Entry,
    Manifest,
    all_intact,
    intact,
    intact_paths,
    keep_manifest_lines,
    read_entries,
    read_manifest,
)
from generator.writer._site import (
    OutputFile,
    Staged,
    WriteReport,
    discard,
    stage_file,
    staging_folder,
    write_site,
)

__all__ = [
    "MANIFEST_VERSION",
    "Entry",
    "Manifest",
    "OutputFile",
    "Staged",
    "WriteReport",
    "all_intact",
    "discard",
    "intact",
    "intact_paths",
    "keep_manifest_lines",
    "read_entries",
    "read_manifest",
    "stage_file",
    "staging_folder",
    "write_atomic",
    "write_private",
    "write_site",
]
