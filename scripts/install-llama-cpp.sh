#!/usr/bin/env bash
# Installs llama-cpp-python (the version pinned in requirements-llama.txt) into the given Python,
# built from its sdist with portable CPU flags (AVX2/FMA/F16C, no -march=native), whatever pip's
# cache holds. The wheel is kept in a cache folder named by version and flags, so a later install
# reuses it only when it was built the same way. LLAMA_NATIVE=1 builds for this CPU instead
# (faster, but the wheel then crashes or dies of an illegal instruction on other CPUs).
# Also unpacks llama.cpp's own converter, gguf-py, vocabularies and chat templates from the sdist
# into <venv>/share/llama.cpp for the exporter and the model twins.
set -euo pipefail
python="${1:?usage: install-llama-cpp.sh PYTHON}"
here="$(cd "$(dirname "$0")/.." && pwd)"
pin="$(grep -E '^llama-cpp-python==' "$here/requirements-llama.txt")"
version="${pin#llama-cpp-python==}"
portable="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
if [ "${LLAMA_NATIVE:-0}" = "1" ]; then
  flags="-DGGML_NATIVE=ON"
  flavour="native-$(grep -m1 '^flags' /proc/cpuinfo | sha256sum | cut -c1-12)"
else
  flags="$portable"
  flavour="portable-$(echo "$flags" | sha256sum | cut -c1-12)"
fi
cache="${AHKSTUDIO_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ahkstudio}/llama-cpp-python-$version-$flavour"
mkdir -p "$cache"
sdist="$(ls "$cache"/llama_cpp_python-"$version".tar.gz 2>/dev/null || true)"
if [ -z "$sdist" ]; then
  "$python" -m pip download --no-deps --no-binary :all: "$pin" -d "$cache"
  sdist="$cache/llama_cpp_python-$version.tar.gz"
fi
wheel="$(ls "$cache"/llama_cpp_python-"$version"-*.whl 2>/dev/null || true)"
if [ -z "$wheel" ]; then
  echo "building llama-cpp-python $version ($flavour; several minutes on 2 cores)"
  CMAKE_ARGS="$flags" "$python" -m pip wheel --no-deps --no-cache-dir "$sdist" -w "$cache.tmp"
  mv "$cache.tmp"/llama_cpp_python-*.whl "$cache"/ && rmdir "$cache.tmp"
  wheel="$(ls "$cache"/llama_cpp_python-"$version"-*.whl)"
fi
"$python" -m pip install --no-deps --force-reinstall --no-cache-dir "$wheel"
share="$("$python" -c 'import sys; print(sys.prefix)')/share/llama.cpp"
rm -rf "$share.tmp" && mkdir -p "$share.tmp"
tar -xzf "$sdist" -C "$share.tmp" --strip-components=3 \
  "llama_cpp_python-$version/vendor/llama.cpp/convert_hf_to_gguf.py" \
  "llama_cpp_python-$version/vendor/llama.cpp/conversion" \
  "llama_cpp_python-$version/vendor/llama.cpp/gguf-py" \
  --wildcards "llama_cpp_python-$version/vendor/llama.cpp/models/ggml-vocab-*.gguf" \
  "llama_cpp_python-$version/vendor/llama.cpp/models/templates"
echo "$version $flavour" >"$share.tmp/BUILD"
rm -rf "$share" && mv "$share.tmp" "$share"
