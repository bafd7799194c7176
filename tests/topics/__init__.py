import pytest

# The shared helpers assert too: pytest explains their failures as it does
# those of test modules.
pytest.register_assert_rewrite("tests.topics.helpers")
