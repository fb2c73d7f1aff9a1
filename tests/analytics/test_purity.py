import subprocess
import sys

PURE = [
    "openxm.analytics.metrics",
    "openxm.analytics.compare",
    "openxm.analytics.kano",
    "openxm.analytics.servqual",
    "openxm.analytics.ipa",
    "openxm.analytics.drivers",
    "openxm.readers",
    "openxm.commands.analyze",
]


def test_analytics_readers_and_analyze_command_load_without_django():
    # A fresh interpreter: in this one pytest-django may already have imported Django.
    code = f"import sys\nfor m in {PURE!r}: __import__(m)\nprint('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
