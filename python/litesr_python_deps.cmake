# Finds what the Python module (python/, docs/api.md "Python") needs and sets LITESR_PYTHON_DEPS_FOUND:
# the Python 3 headers and libpython's module ABI (Debian: python3-dev), pybind11 (pybind11-dev) and numpy
# (python3-numpy). Included by the top-level CMakeLists.txt before option(LITESR_WITH_PYTHON), whose default
# is LITESR_PYTHON_DEPS_FOUND.
#
# The interpreter: Python3_EXECUTABLE when the user gives it; otherwise the first of `python3` on PATH and
# /usr/bin/python3 that can `import numpy`. The fallback matters because install-deps.sh installs Debian's
# numpy and pytest into the system interpreter, while PATH often starts with pyenv, conda or a venv whose
# python3 has neither. The module is built for (and its tests run with) that one interpreter.

set(LITESR_PYTHON_DEPS_FOUND OFF)
set(LITESR_PYTHON_MISSING "")

if(NOT Python3_EXECUTABLE)
  find_program(LITESR_PATH_PYTHON3 NAMES python3 NO_CACHE)
  set(candidates "")
  if(LITESR_PATH_PYTHON3)
    list(APPEND candidates "${LITESR_PATH_PYTHON3}")
  endif()
  if(EXISTS /usr/bin/python3)
    list(APPEND candidates /usr/bin/python3)
  endif()
  foreach(candidate IN LISTS candidates)
    execute_process(COMMAND "${candidate}" -c "import numpy" RESULT_VARIABLE numpy_rc OUTPUT_QUIET ERROR_QUIET)
    if(numpy_rc EQUAL 0)
      set(Python3_EXECUTABLE "${candidate}" CACHE FILEPATH "Python 3 interpreter the litesr module is built for")
      break()
    endif()
  endforeach()
  unset(candidates)
endif()

if(Python3_EXECUTABLE)
  find_package(Python3 3.8 QUIET COMPONENTS Interpreter Development.Module)
endif()
if(NOT Python3_FOUND)
  list(APPEND LITESR_PYTHON_MISSING "a Python 3 interpreter with numpy and its development files (python3-dev python3-numpy)")
else()
  execute_process(COMMAND "${Python3_EXECUTABLE}" -c "import numpy" RESULT_VARIABLE numpy_rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT numpy_rc EQUAL 0)
    list(APPEND LITESR_PYTHON_MISSING "numpy for ${Python3_EXECUTABLE} (python3-numpy)")
  endif()
  # pybind11 picks up the Python3 found above (its FindPython mode) instead of searching again.
  find_package(pybind11 2.6 CONFIG QUIET)
  if(NOT pybind11_FOUND)
    list(APPEND LITESR_PYTHON_MISSING "pybind11 (pybind11-dev)")
  endif()
endif()

if(NOT LITESR_PYTHON_MISSING)
  set(LITESR_PYTHON_DEPS_FOUND ON)
endif()
