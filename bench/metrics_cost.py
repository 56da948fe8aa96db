"""What counting a request costs: our hand-written metrics beside
prometheus-cpp 1.0.1 doing the same work, in the same run (decision 0016).
Installs Debian's prometheus-cpp-dev if missing, builds bench/metrics_cost.cpp
in the release build and runs it `runs` times.

Usage: /usr/bin/python3 bench/metrics_cost.py [runs]
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    installed = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "prometheus-cpp-dev"],
                               capture_output=True, text=True).stdout
    if "install ok installed" not in installed:
        subprocess.run(["apt-get", "install", "-y", "-qq", "prometheus-cpp-dev"], check=True,
                       env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    subprocess.run(["cmake", "--preset", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "--preset", "release", "--target", "metrics_cost"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    for run in range(1, runs + 1):
        print(f"run {run}")
        subprocess.run([str(ROOT / "build/release/metrics_cost")], check=True)


if __name__ == "__main__":
    main()
