"""`-p tests.repeat --repeat N` runs each selected test N times in a row, to hunt flakiness:

    make test PYTEST_WORKERS=0 PYTEST_ARGS="-p tests.repeat --repeat 20 \
        tests/browser/test_review_journey.py"
"""


def pytest_addoption(parser):
    parser.addoption("--repeat", type=int, default=1, help="Run each test this many times.")


def pytest_generate_tests(metafunc):
    count = metafunc.config.getoption("repeat")
    if count > 1:
        metafunc.fixturenames.append("repeat_round")
        metafunc.parametrize("repeat_round", range(1, count + 1))
