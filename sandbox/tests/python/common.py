"""What the Python tests of the standalone sandbox share: HTTP calls (standard library only) and
the checks' tally, printed as `N passed, M failed`."""

import json
import urllib.error
import urllib.request


def http(method, url, body=None, token=None, timeout=30):
    """(status, JSON answer); `body` is JSON, or a string sent as it is (a scene's TOML)."""
    if body is None:
        data = None
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bot {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Checks:
    """Counts checks, printing one line each."""

    def __init__(self):
        self.passed, self.failed = 0, 0

    def __call__(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name} {detail}")

    def summary(self):
        """Prints the closing line; the exit code."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
