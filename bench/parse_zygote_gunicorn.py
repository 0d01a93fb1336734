"""gunicorn's production configuration (deploy/gunicorn.conf.py) with bench/parse_zygote.py's
zygote in each worker: for `bench/deadline_burst.py --parse fork` only, never production."""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_CONF = _ROOT / "deploy" / "gunicorn.conf.py"
exec(compile(_CONF.read_text(), str(_CONF), "exec"))  # noqa: S102 - our own configuration


def post_worker_init(worker: object) -> None:
    sys.path.insert(0, str(_ROOT / "bench"))
    import parse_zygote

    parse_zygote.install()
