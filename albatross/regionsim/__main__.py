"""python -m albatross.regionsim --regions 1000 [--rtt-ms 50] [--port 8990]: N regions named
Sim0001..SimNNNN (or --prefix) on one port."""
import argparse

from albatross.regionsim.app import serve


def region_names(n: int, prefix: str = "Sim") -> list[str]:
    width = max(4, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m albatross.regionsim")
    p.add_argument("--regions", type=int, default=10)
    p.add_argument("--prefix", default="Sim")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8990)
    p.add_argument("--rtt-ms", type=float, default=0.0, help="round trip per request")
    args = p.parse_args(argv)
    serve(region_names(args.regions, args.prefix), args.host, args.port, args.rtt_ms)


if __name__ == "__main__":
    main()
