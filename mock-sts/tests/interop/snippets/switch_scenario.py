# Switch the mock's scenario at run time (the control API), e.g. to reproduce "kid not found".
import os

import requests

MOCK_STS = os.environ["MOCK_STS_URL"]


def switch_scenario(name):
    response = requests.put(f"{MOCK_STS}/_mock/scenario", json={"scenario": name}, timeout=10)
    response.raise_for_status()
    return response.json()
