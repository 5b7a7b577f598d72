"""What did a scenario folder hold at a git revision? The one place `diff` touches git.

I/O by design (a subprocess and a temporary folder), kept out of the pure core:
`scenarios_at_revision(repo, rev, folder)` runs `git archive REV -- FOLDER` in `repo`
(https://git-scm.com/docs/git-archive) and extracts the tar into a new temporary folder,
returning the folder's copy there; policy files next to the scenarios come along, so
relative references resolve as at that revision. A file (`REV:scenarios/doris/x.yaml`)
comes with the rest of its folder, for the same reason. The caller removes the temporary folder
(`shutil.rmtree(path.parents[len(folder.parts) - 1])`, or keep `root_of(path, folder)`).

`revision_spec("origin/main:scenarios")` reads the `REV:PATH` form the CLI accepts for
`trustsim diff BASE HEAD` (git's own spelling for a path at a revision).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from .errors import InputError


def revision_spec(spec: str) -> tuple[str, str] | None:
    """`REV:PATH` -> (REV, PATH), or None when `spec` is not of that form (a plain path;
    an existing path containing a colon is the caller's to prefer)."""
    rev, sep, path = spec.partition(":")
    if not sep or len(rev) < 2:  # one letter before a colon is a Windows drive (C:\...)
        return None
    return rev, path or "."


def _relative(repo: Path, folder: Path) -> str:
    if folder.is_absolute():
        try:
            folder = folder.resolve().relative_to(repo.resolve())
        except ValueError:
            raise InputError(f"{folder} is not inside the repository {repo}") from None
    return PurePosixPath(*folder.parts).as_posix() if folder.parts else "."


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                              check=False, timeout=120)
    except FileNotFoundError:
        raise InputError("git is not installed (needed to read a revision)") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {' '.join(args)} took longer than 120 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def root_of(path: Path, folder: str) -> Path:
    """The temporary folder `scenarios_at_revision` created, from the path it returned."""
    depth = 0 if folder in ("", ".") else len(PurePosixPath(folder).parts)
    return path.parents[depth - 1] if depth else path


def scenarios_at_revision(repo: Path, rev: str, folder: Path) -> Path:
    """Extract `folder` (relative to `repo`, or absolute inside it) as it was at `rev`
    into a new temporary folder; returns the extracted folder. InputError when git is
    missing, `rev` is unknown or `folder` did not exist at `rev`."""
    relative = _relative(repo, folder)
    try:
        commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except InputError:
        raise InputError(f"{rev!r} is not a commit of the repository {repo}") from None
    # a file (a scenario, a plan) comes with its folder, so the policy files and world_from
    # files it names beside it resolve as at that revision
    try:
        kind = _git(repo, "cat-file", "-t", f"{commit.decode()}:{relative}").strip()
    except InputError:
        raise InputError(f"{relative} does not exist at {rev}") from None
    wanted = relative
    if kind == b"blob":
        wanted = PurePosixPath(relative).parent.as_posix()
    tar = _git(repo, "archive", "--format=tar", commit.decode(), "--", wanted)
    target = Path(tempfile.mkdtemp(prefix="trustsim-rev-"))
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(target, filter="data")
        else:  # Python without extraction filters (< 3.10.12): git archive holds no links out
            archive.extractall(target)
    out = target / relative
    if not out.exists():
        raise InputError(f"{relative} does not exist at {rev}")
    return out
