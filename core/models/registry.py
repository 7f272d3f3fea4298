"""The model registry: every family the studio offers, in one table.

For each family: the recommended hub models with their real sizes (the numbers are the published
config.json values, quoted beside each entry), the LoRA targets that exist in that architecture
(fused expert weights through PEFT's `target_parameters`), what 4-bit loading does with its
weights, the chat template (a file of llama-cpp-python's sdist, unpacked into
.venv/share/llama.cpp/models/templates by scripts/install-llama-cpp.sh), the vocabulary its
miniature twin borrows, and which backend trains it on what hardware. The config form, the
memory estimate, the exporter, the model picker and the tests all read this table.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import StudioError

GIB = 1024**3


def llama_cpp_share() -> Path:
    """Where install-llama-cpp.sh unpacked llama.cpp's converter, vocabularies and templates."""
    return Path(sys.prefix) / "share" / "llama.cpp"


# --- shapes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Architecture:
    """The shapes that decide a decoder's size (a config.json's numbers)."""

    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int  # a dense MLP's width; for a mixture of experts, each expert's width
    vocab: int
    tied: bool = False
    experts: int = 0  # >0: a mixture of experts with fused expert weights
    active_experts: int = 0  # experts each token goes through

    def attention_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each attention projection of one block."""
        h, q, kv = self.hidden, self.heads * self.head_dim, self.kv_heads * self.head_dim
        return {"q_proj": (h, q), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (q, h)}

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each Linear layer of one block that LoRA can target (by leaf name)."""
        shapes = self.attention_shapes()
        h, i = self.hidden, self.intermediate
        if not self.experts:
            shapes |= {"gate_proj": (h, i), "up_proj": (h, i), "down_proj": (i, h)}
            shapes |= {"qkv_proj": (h, sum(shapes[n][1] for n in ("q_proj", "k_proj", "v_proj")))}
            shapes |= {"gate_up_proj": (h, 2 * i)}
        return shapes

    def expert_shapes(self) -> dict[str, tuple[int, int, int]]:
        """(experts, in, out) of each fused expert weight of one block (PEFT target_parameters)."""
        if not self.experts:
            return {}
        e, h, i = self.experts, self.hidden, self.intermediate
        return {"mlp.experts.gate_up_proj": (e, h, 2 * i), "mlp.experts.down_proj": (e, i, h)}

    def expert_params(self) -> int:
        """Parameters in the expert weights of the whole model (what MXFP4 compresses)."""
        return self.layers * sum(e * a * b for e, a, b in self.expert_shapes().values())

    def block_params(self) -> int:
        """Parameters of one decoder block (attention, MLP or experts and router, norms)."""
        attention = sum(a * b for a, b in self.attention_shapes().values())
        if self.experts:
            mlp = self.expert_params() // self.layers + self.hidden * self.experts
        else:
            mlp = 3 * self.hidden * self.intermediate
        return attention + mlp + 2 * self.hidden

    def embedding_params(self) -> int:
        """Input embeddings plus the output head (once when they are tied)."""
        return self.vocab * self.hidden * (1 if self.tied else 2)

    def total_params(self) -> int:
        """Parameters of the whole model, embeddings included."""
        return self.embedding_params() + self.layers * self.block_params() + self.hidden

    def active_params(self) -> int:
        """Parameters one token goes through (all of them for a dense model)."""
        if not self.experts:
            return self.total_params()
        idle = self.expert_params() * (self.experts - self.active_experts) // self.experts
        return self.total_params() - idle


def architecture_from_config(config: Mapping[str, Any]) -> Architecture:
    """The Architecture of a Hugging Face config.json mapping (a text_config inside wins)."""
    config = config.get("text_config") or config
    heads = config["num_attention_heads"]
    experts = config.get("num_local_experts") or config.get("num_experts") or 0
    width = config.get("moe_intermediate_size") if experts else None
    return Architecture(
        hidden=config["hidden_size"],
        layers=config["num_hidden_layers"],
        heads=heads,
        kv_heads=config.get("num_key_value_heads") or heads,
        head_dim=config.get("head_dim") or config["hidden_size"] // heads,
        intermediate=width or config["intermediate_size"],
        vocab=config["vocab_size"],
        tied=bool(config.get("tie_word_embeddings", False)),
        experts=experts,
        active_experts=config.get("num_experts_per_tok") or config.get("experts_per_token") or 0,
    )


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubModel:
    """One recommended checkpoint on the Hugging Face hub."""

    hub_id: str
    label: str
    arch: Architecture
    gated: bool = False  # the hub asks to accept a licence and a token to download
    context: int = 0  # max_position_embeddings

    @property
    def download_bytes(self) -> int:
        """The published weights' size on disk: bf16, except MXFP4 experts (4.25 bits)."""
        return self.arch.total_params() * 2


@dataclass(frozen=True)
class Family:
    """A model family: its architecture, how it is trained, rendered and exported."""

    key: str
    label: str
    model_types: tuple[str, ...]  # config.json model_type values of the family
    architecture_class: str  # transformers class of the published checkpoints
    models: tuple[HubModel, ...]
    lora_modules: tuple[str, ...]  # Linear layers (leaf names) a LoRA adapter reaches
    lora_parameters: tuple[str, ...]  # fused expert weights, through PEFT target_parameters
    quantisation: str  # "mxfp4": the checkpoint ships 4-bit experts; "" : bf16
    four_bit: str  # what load_in_4bit does with this family's weights, per backend
    hardware: str  # which backend trains it on what
    template: str  # chat template file of llama-cpp-python's sdist
    twin_vocab: str  # ggml-vocab-<name>.gguf the twin borrows (the family's own where shipped)
    ollama: str  # what the Modelfile's TEMPLATE is built from
    system: str = "its own turn, before the first user turn"  # what the template does with it
    reasoning: bool = False  # the template reads `reasoning_effort`
    twin_shape: Mapping[str, Any] | None = None  # config.json values of the miniature twin

    @property
    def default(self) -> HubModel:
        """The first (recommended) model of the family."""
        return self.models[0]


_MXFP4 = 0.53125  # bytes per parameter: 4-bit values plus one 8-bit scale per 32


def _gpt_oss(layers: int, experts: int) -> Architecture:
    # openai/gpt-oss-20b and -120b config.json: hidden_size 2880, num_attention_heads 64,
    # num_key_value_heads 8, head_dim 64, intermediate_size 2880, vocab_size 201088,
    # num_experts_per_tok 4, tie_word_embeddings false; 24 layers/32 experts or 36/128.
    return Architecture(2880, layers, 64, 8, 64, 2880, 201088, False, experts, 4)


@dataclass(frozen=True)
class MxfpModel(HubModel):
    """A checkpoint whose expert weights are published in MXFP4 (gpt-oss)."""

    @property
    def download_bytes(self) -> int:
        experts = self.arch.expert_params()
        return int(experts * _MXFP4) + (self.arch.total_params() - experts) * 2


_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
_DENSE = (*_ATTENTION, "gate_proj", "up_proj", "down_proj")
_EXPERTS = ("mlp.experts.gate_up_proj", "mlp.experts.down_proj")
_NF4 = (
    "bitsandbytes NF4 on every Linear layer (about 0.55 bytes a parameter); the cpu backend can too"
)
_GPU = "unsloth or hf on a CUDA GPU; cpu: its miniature twin only"

FAMILIES: dict[str, Family] = {
    "gpt-oss": Family(
        key="gpt-oss",
        label="gpt-oss (OpenAI, mixture of experts)",
        model_types=("gpt_oss",),
        architecture_class="GptOssForCausalLM",
        models=(
            MxfpModel("openai/gpt-oss-20b", "gpt-oss 20B", _gpt_oss(24, 32), context=131072),
            MxfpModel("openai/gpt-oss-120b", "gpt-oss 120B", _gpt_oss(36, 128), context=131072),
        ),
        lora_modules=_ATTENTION,
        lora_parameters=_EXPERTS,
        quantisation="mxfp4",
        four_bit=(
            "the checkpoint ships its experts in MXFP4 (4.25 bits): unsloth trains its NF4 copy "
            "(about 14 GB for 20B); hf dequantises the experts to bf16 for training "
            "(transformers cannot train MXFP4: about 42 GB for 20B); cpu dequantises to float32"
        ),
        hardware="20B: a 16 GB GPU with unsloth, 48 GB+ with hf; 120B: an 80 GB GPU",
        template="openai-gpt-oss-120b.jinja",
        twin_vocab="qwen2",  # gpt-oss's o200k vocabulary is not in the sdist
        ollama="Harmony turns (<|start|>role<|message|>…<|end|>) read off the template",
        system="developer instructions (the template writes its own system message: the date "
        "and the reasoning effort)",
        reasoning=True,
        twin_shape={"num_local_experts": 4, "num_experts_per_tok": 2, "intermediate_size": 64},
    ),
    "qwen3": Family(
        key="qwen3",
        label="Qwen3 (dense)",
        model_types=("qwen3",),
        architecture_class="Qwen3ForCausalLM",
        models=(
            # Qwen/Qwen3-0.6B: hidden 1024, 28 layers, 16 heads, 8 kv, head_dim 128, ffn 3072, tied
            HubModel(
                "Qwen/Qwen3-0.6B",
                "Qwen3 0.6B",
                Architecture(1024, 28, 16, 8, 128, 3072, 151936, True),
                context=40960,
            ),
            # Qwen/Qwen3-4B: hidden 2560, 36 layers, 32 heads, 8 kv, head_dim 128, ffn 9728, tied
            HubModel(
                "Qwen/Qwen3-4B",
                "Qwen3 4B",
                Architecture(2560, 36, 32, 8, 128, 9728, 151936, True),
                context=40960,
            ),
            # Qwen/Qwen3-8B: hidden 4096, 36 layers, 32 heads, 8 kv, head_dim 128, ffn 12288
            HubModel(
                "Qwen/Qwen3-8B",
                "Qwen3 8B",
                Architecture(4096, 36, 32, 8, 128, 12288, 151936),
                context=40960,
            ),
        ),
        lora_modules=_DENSE,
        lora_parameters=(),
        quantisation="",
        four_bit=_NF4,
        hardware="0.6B: any CUDA GPU (slowly on a CPU); 4B: 8 GB GPU in 4-bit; 8B: 12 GB in 4-bit",
        template="Qwen-Qwen3-0.6B.jinja",
        twin_vocab="qwen2",  # Qwen3 keeps Qwen2's byte-level BPE vocabulary
        ollama="ChatML turns (<|im_start|>role … <|im_end|>) read off the template",
    ),
    "qwen3-moe": Family(
        key="qwen3-moe",
        label="Qwen3-MoE (Qwen3-Coder, mixture of experts)",
        model_types=("qwen3_moe",),
        architecture_class="Qwen3MoeForCausalLM",
        models=(
            # Qwen/Qwen3-Coder-30B-A3B-Instruct: hidden 2048, 48 layers, 32 heads, 4 kv,
            # head_dim 128, moe_intermediate_size 768, 128 experts, 8 per token, vocab 151936
            HubModel(
                "Qwen/Qwen3-Coder-30B-A3B-Instruct",
                "Qwen3-Coder 30B-A3B",
                Architecture(2048, 48, 32, 4, 128, 768, 151936, False, 128, 8),
                context=262144,
            ),
        ),
        lora_modules=_ATTENTION,
        lora_parameters=_EXPERTS,
        quantisation="",
        four_bit="bitsandbytes NF4 on the attention Linear layers only: the fused experts stay bf16 (about 58 GB)",
        hardware="an 80 GB CUDA GPU (hf, bf16 experts); cpu: its miniature twin only",
        template="Qwen3-Coder.jinja",
        twin_vocab="qwen2",
        ollama="ChatML turns (<|im_start|>role … <|im_end|>) read off the template",
        twin_shape={"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 64},
    ),
    "llama": Family(
        key="llama",
        label="Llama 3.x (Meta)",
        model_types=("llama",),
        architecture_class="LlamaForCausalLM",
        models=(
            # meta-llama/Llama-3.2-1B-Instruct: hidden 2048, 16 layers, 32 heads, 8 kv, head_dim 64, ffn 8192, tied
            HubModel(
                "meta-llama/Llama-3.2-1B-Instruct",
                "Llama 3.2 1B",
                Architecture(2048, 16, 32, 8, 64, 8192, 128256, True),
                True,
                131072,
            ),
            # meta-llama/Llama-3.2-3B-Instruct: hidden 3072, 28 layers, 24 heads, 8 kv, head_dim 128, ffn 8192, tied
            HubModel(
                "meta-llama/Llama-3.2-3B-Instruct",
                "Llama 3.2 3B",
                Architecture(3072, 28, 24, 8, 128, 8192, 128256, True),
                True,
                131072,
            ),
            # meta-llama/Llama-3.1-8B-Instruct: hidden 4096, 32 layers, 32 heads, 8 kv, ffn 14336
            HubModel(
                "meta-llama/Llama-3.1-8B-Instruct",
                "Llama 3.1 8B",
                Architecture(4096, 32, 32, 8, 128, 14336, 128256),
                True,
                131072,
            ),
        ),
        lora_modules=_DENSE,
        lora_parameters=(),
        quantisation="",
        four_bit=_NF4,
        hardware="1B/3B: an 8 GB GPU in 4-bit; 8B: a 12 GB GPU in 4-bit (" + _GPU + ")",
        template="meta-llama-Llama-3.2-3B-Instruct.jinja",
        twin_vocab="llama-bpe",
        ollama="Llama 3 headers (<|start_header_id|>role<|end_header_id|>) read off the template",
    ),
    "gemma": Family(
        key="gemma",
        label="Gemma 3 (Google)",
        model_types=("gemma3_text", "gemma3"),
        architecture_class="Gemma3ForCausalLM",
        models=(
            # google/gemma-3-1b-it: hidden 1152, 26 layers, 4 heads, 1 kv, head_dim 256, ffn 6912, vocab 262144, tied
            HubModel(
                "google/gemma-3-1b-it",
                "Gemma 3 1B",
                Architecture(1152, 26, 4, 1, 256, 6912, 262144, True),
                True,
                32768,
            ),
            # google/gemma-3-4b-it text_config: hidden 2560, 34 layers, 8 heads, 4 kv, head_dim 256, ffn 10240, vocab 262208, tied
            HubModel(
                "google/gemma-3-4b-it",
                "Gemma 3 4B",
                Architecture(2560, 34, 8, 4, 256, 10240, 262208, True),
                True,
                131072,
            ),
        ),
        lora_modules=_DENSE,
        lora_parameters=(),
        quantisation="",
        four_bit=_NF4,
        hardware="1B: a 6 GB GPU; 4B: a 10 GB GPU in 4-bit (" + _GPU + ")",
        template="google-gemma-2-2b-it.jinja",  # Gemma 3 keeps Gemma 2's turn format
        twin_vocab="gemma-4",  # Gemma 3's own is not shipped; Gemma 4's is the same kind of BPE
        ollama="Gemma turns (<start_of_turn>role … <end_of_turn>) read off the template",
        system="folded into the first user turn (Gemma has no system role)",
        # Gemma 3 follows five sliding-window layers with one global one (llama.cpp assumes that
        # pattern and reads no layer types), so the twin has six layers.
        twin_shape={
            "num_hidden_layers": 6,
            "layer_types": ["sliding_attention"] * 5 + ["full_attention"],
            "query_pre_attn_scalar": 16,  # the head size, as in the published configs
        },
    ),
    "phi": Family(
        key="phi",
        label="Phi-3.5 (Microsoft)",
        model_types=("phi3",),
        architecture_class="Phi3ForCausalLM",
        models=(
            # microsoft/Phi-3.5-mini-instruct: hidden 3072, 32 layers, 32 heads, 32 kv, ffn 8192, vocab 32064
            HubModel(
                "microsoft/Phi-3.5-mini-instruct",
                "Phi-3.5 mini 3.8B",
                Architecture(3072, 32, 32, 32, 96, 8192, 32064),
                context=131072,
            ),
        ),
        lora_modules=("qkv_proj", "o_proj", "gate_up_proj", "down_proj"),
        lora_parameters=(),
        quantisation="",
        four_bit=_NF4,
        hardware="a 10 GB GPU in 4-bit (" + _GPU + ")",
        template="microsoft-Phi-3.5-mini-instruct.jinja",
        twin_vocab="phi-3",
        ollama="Phi turns (<|role|> … <|end|>) read off the template",
    ),
    "mistral": Family(
        key="mistral",
        label="Mistral 7B (Mistral AI)",
        model_types=("mistral",),
        architecture_class="MistralForCausalLM",
        models=(
            # mistralai/Mistral-7B-Instruct-v0.3: hidden 4096, 32 layers, 32 heads, 8 kv, ffn 14336, vocab 32768
            HubModel(
                "mistralai/Mistral-7B-Instruct-v0.3",
                "Mistral 7B v0.3",
                Architecture(4096, 32, 32, 8, 128, 14336, 32768),
                True,
                32768,
            ),
        ),
        lora_modules=_DENSE,
        lora_parameters=(),
        quantisation="",
        four_bit=_NF4,
        hardware="a 12 GB GPU in 4-bit (" + _GPU + ")",
        template="mistralai-Mistral-Nemo-Instruct-2407.jinja",  # the [INST] … [/INST] format
        twin_vocab="llama-spm",  # Mistral 7B's 32k SentencePiece vocabulary is Llama 2's
        ollama="[INST] … [/INST] turns read off the template",
        system="folded into the first user turn (the template writes it only into a last user "
        "turn, which a training record's is not)",
    ),
    "demo": Family(
        key="demo",
        label="CPU demo (a 1.3M-parameter Llama built from the corpus)",
        model_types=("llama",),
        architecture_class="LlamaForCausalLM",
        models=(),
        lora_modules=_DENSE,
        lora_parameters=(),
        quantisation="",
        four_bit="bitsandbytes NF4 works on the CPU; the demo keeps float32",
        hardware="any CPU, in about a minute; nothing is downloaded",
        template="",  # its own Harmony-style template (core.models.tiny.CHAT_TEMPLATE)
        twin_vocab="",
        ollama="Harmony-style turns read off its template",
    ),
}

DEFAULT_FAMILY = "gpt-oss"


# --- lookups -------------------------------------------------------------------------------------


def hub_models() -> list[tuple[Family, HubModel]]:
    """Every recommended hub model with its family, in table order."""
    return [(family, model) for family in FAMILIES.values() for model in family.models]


def find_hub_model(hub_id: str) -> tuple[Family, HubModel] | None:
    """The registry entry of a hub id (case-insensitive), or None."""
    wanted = hub_id.strip().lower()
    return next(((f, m) for f, m in hub_models() if m.hub_id.lower() == wanted), None)


def family_of_config(config: Mapping[str, Any]) -> Family | None:
    """The family of a config.json mapping: by its architecture class, then its model_type."""
    classes = config.get("architectures") or []
    for family in FAMILIES.values():
        if family.key != "demo" and family.architecture_class in classes:
            return family
    kind = (config.get("text_config") or config).get("model_type") or config.get("model_type")
    return next((f for f in FAMILIES.values() if kind in f.model_types), None)


def family(key: str) -> Family:
    """The family named `key`; StudioError lists the known ones."""
    if key not in FAMILIES:
        raise StudioError(f"unknown model family {key!r}", hint=f"one of {', '.join(FAMILIES)}")
    return FAMILIES[key]


def template_path(fam: Family) -> Path:
    """The family's chat template file from the sdist; StudioError when it was not unpacked."""
    path = llama_cpp_share() / "models" / "templates" / fam.template
    if not fam.template or not path.is_file():
        raise StudioError(
            f"no chat template file for {fam.label}: {path}",
            hint="unpack llama.cpp's files: bash scripts/install-llama-cpp.sh .venv/bin/python",
        )
    return path


def vocab_path(fam: Family) -> Path:
    """The GGUF vocabulary the family's twin borrows; StudioError when it was not unpacked."""
    path = llama_cpp_share() / "models" / f"ggml-vocab-{fam.twin_vocab}.gguf"
    if not fam.twin_vocab or not path.is_file():
        raise StudioError(
            f"no vocabulary file for {fam.label}: {path}",
            hint="unpack llama.cpp's files: bash scripts/install-llama-cpp.sh .venv/bin/python",
        )
    return path


# --- chat templates ------------------------------------------------------------------------------

# Training records render with this date wherever a template writes today's (gpt-oss, Llama 3):
# the same data set renders the same on every day. gpt-oss's release day.
FIXED_DATE = date(2025, 8, 5)
REASONING_EFFORTS = ("low", "medium", "high")
_STRFTIME = re.compile(r"strftime_now\(\s*(['\"])(.*?)\1\s*\)")


def deterministic_template(template: str, reasoning_effort: str = "medium") -> str:
    """`template` with every strftime_now("…") call replaced by FIXED_DATE in that format,
    `reasoning_effort` set unless the caller passes one (templates that do not read it ignore it),
    and the system message folded into the first user turn where the template refuses the system
    role (Gemma 2's; Gemma 3's own template folds it so) or writes it only into a last user turn
    (Mistral's: a training record, which ends with the answer, would lose it)."""
    fixed = _STRFTIME.sub(lambda m: repr(FIXED_DATE.strftime(m.group(2))), template)
    if any(sign in fixed for sign in _SYSTEM_NOT_TRAINED):
        fixed = _FOLD_SYSTEM + fixed
    if "reasoning_effort" not in fixed:
        return fixed
    if reasoning_effort not in REASONING_EFFORTS:
        raise StudioError(
            f"reasoning effort must be one of {', '.join(REASONING_EFFORTS)}, got {reasoning_effort!r}"
        )
    head = (
        "{%- if reasoning_effort is not defined %}"
        f'{{%- set reasoning_effort = "{reasoning_effort}" %}}'
        "{%- endif %}"
    )
    return head + fixed


_SYSTEM_NOT_TRAINED = ("System role not supported", "loop.last and system_message is defined")
_FOLD_SYSTEM = (
    "{%- if messages|length > 1 and messages[0]['role'] == 'system' "
    "and messages[1]['role'] == 'user' %}"
    "{%- set messages = [{'role': 'user', 'content': messages[0]['content'] + '\\n\\n' "
    "+ messages[1]['content']}] + messages[2:] %}"
    "{%- endif %}"
)
