#!/usr/bin/env python3
"""Keeps a harness's committed corpus small and useful: its hand-made seeds
(seed-*), plus at most BUDGET found inputs, chosen greedily for the most
code (program counters) the seeds and the inputs already chosen do not
reach. libFuzzer's own -merge=1 keeps every input with any new feature,
hundreds of files; this keeps the few that matter most.

Usage: keep_corpus.py BINARY CORPUS_DIR BUDGET FOUND_DIR...
Rewrites CORPUS_DIR: the seeds stay, the other files are replaced by the
chosen ones, named by their SHA-1 as libFuzzer names them."""
import hashlib
import pathlib
import subprocess
import sys
import tempfile


def coverage(binary: str, directories: list[pathlib.Path]) -> dict[str, set[int]]:
    """The program counters each input reaches, by file name."""
    with tempfile.TemporaryDirectory() as scratch:
        control = pathlib.Path(scratch) / "control"
        output = pathlib.Path(scratch) / "out"
        output.mkdir()
        run = subprocess.run([binary, "-merge=1", f"-merge_control_file={control}", str(output),
                              *map(str, directories)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if run.returncode != 0:
            sys.exit(run.stdout[-3000:] + f"\nkeep_corpus: {binary} -merge=1 failed")
        lines = control.read_text().splitlines()
        count = int(lines[0])
        files = [pathlib.Path(line).name for line in lines[2:2 + count]]
        covered: dict[str, set[int]] = {}
        for line in lines[2 + count:]:
            if line.startswith("COV "):
                _, index, *pcs = line.split()
                covered[files[int(index)]] = {int(pc) for pc in pcs}
        return covered


def main() -> None:
    binary, corpus, budget, *found = sys.argv[1:]
    corpus_dir = pathlib.Path(corpus)
    with tempfile.TemporaryDirectory() as staging:
        # Every input once, by content (the corpus and a run share many),
        # the seeds apart: they stay whatever they reach.
        seeds_dir = pathlib.Path(staging) / "seeds"
        found_dir = pathlib.Path(staging) / "found"
        seeds_dir.mkdir()
        found_dir.mkdir()
        for directory in [corpus_dir, *map(pathlib.Path, found)]:
            for path in sorted(directory.iterdir()):
                data = path.read_bytes()
                if path.name.startswith("seed-") and directory == corpus_dir:
                    (seeds_dir / path.name).write_bytes(data)
                else:
                    (found_dir / hashlib.sha1(data).hexdigest()).write_bytes(data)
        covered = coverage(binary, [seeds_dir, found_dir])
        seeds = sorted(path.name for path in seeds_dir.iterdir())
        reached: set[int] = set().union(*(covered.get(seed, set()) for seed in seeds))
        pool = {path.name: covered.get(path.name, set()) for path in found_dir.iterdir()}
        chosen = []
        while len(chosen) < int(budget) and pool:
            best = max(pool, key=lambda name: (len(pool[name] - reached), -(found_dir / name).stat().st_size, name))
            if not pool[best] - reached:
                break
            reached |= pool.pop(best)
            chosen.append(best)
        for path in corpus_dir.iterdir():
            if not path.name.startswith("seed-"):
                path.unlink()
        for name in chosen:
            (corpus_dir / name).write_bytes((found_dir / name).read_bytes())
        print(f"{corpus_dir}: {len(seeds)} seeds + {len(chosen)} found inputs, {len(reached)} PCs")


if __name__ == "__main__":
    main()
