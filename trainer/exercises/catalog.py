"""The exercise families' names, topics and titles, in the order a learner meets them.

Listing the exercise cards (one per family and level) needs only this, so it is kept
apart from the families themselves, which import NumPy: the practice screen's first card
is drawn without it. Each family class names its entry (``name = "conv-output-size"``)
and takes its topic and title from here (``Family.__init_subclass__``).
"""

from __future__ import annotations

from typing import NamedTuple

LEVELS = (1, 2, 3)  # every family poses each level: 1 easy .. 3 hard


class FamilyEntry(NamedTuple):
    name: str  # slug, e.g. "conv-output-size"
    topic: str  # a built-in deck topic slug, e.g. "sampling"
    title: dict[str, str]  # {"en": ..., "zh": ...}


CATALOG: tuple[FamilyEntry, ...] = (
    FamilyEntry("conv-output-size", "sampling",
                {"en": "Output size of a convolution or pooling layer",
                 "zh": "卷积层 / 池化层的输出尺寸"}),
    FamilyEntry("transposed-conv-output-size", "transposed-conv",
                {"en": "Output size of a transposed convolution",
                 "zh": "转置卷积的输出尺寸"}),
    FamilyEntry("receptive-field", "receptive-field",
                {"en": "Receptive field of a layer stack",
                 "zh": "多层网络的感受野"}),
    FamilyEntry("conv-params", "depth-width",
                {"en": "Parameters of a Conv2d layer",
                 "zh": "Conv2d 层的参数量"}),
    FamilyEntry("conv-macs", "depth-width",
                {"en": "Multiply-accumulates (MACs) of a Conv2d layer",
                 "zh": "Conv2d 层的乘加次数（MACs）"}),
    FamilyEntry("separable-vs-standard", "separable-conv",
                {"en": "Depthwise-separable vs standard convolution",
                 "zh": "深度可分离卷积与普通卷积"}),
    FamilyEntry("maxpool-backward", "pooling-backprop",
                {"en": "Backward pass of max pooling",
                 "zh": "最大池化的反向传播"}),
    FamilyEntry("avgpool-backward", "pooling-backprop",
                {"en": "Backward pass of average pooling",
                 "zh": "平均池化的反向传播"}),
    FamilyEntry("batchnorm-forward", "batch-norm",
                {"en": "BatchNorm forward pass and running statistics",
                 "zh": "BatchNorm 的前向计算与滑动统计量"}),
    FamilyEntry("minmax-zscore", "normalization-methods",
                {"en": "Min-max scaling and z-score standardisation",
                 "zh": "最小-最大缩放与 z-score 标准化"}),
    FamilyEntry("upsample-values", "sampling",
                {"en": "Values of nearest and bilinear upsampling",
                 "zh": "最近邻与双线性上采样的数值"}),
    FamilyEntry("add-vs-concat", "add-vs-concat",
                {"en": "Adding vs concatenating feature maps",
                 "zh": "特征图相加与拼接"}),
    FamilyEntry("transposed-conv-values", "transposed-conv",
                {"en": "Values of a transposed convolution",
                 "zh": "转置卷积的数值计算"}),
    FamilyEntry("attention-values", "attention",
                {"en": "Values of scaled dot-product attention",
                 "zh": "缩放点积注意力的数值计算"}),
    FamilyEntry("mha-params", "attention",
                {"en": "Parameters of nn.MultiheadAttention",
                 "zh": "nn.MultiheadAttention 的参数量"}),
    FamilyEntry("transformer-layer-params", "attention",
                {"en": "Parameters of a Transformer encoder or decoder layer",
                 "zh": "Transformer 编码器层 / 解码器层的参数量"}),
    FamilyEntry("layernorm-rmsnorm", "normalization-methods",
                {"en": "LayerNorm and RMSNorm outputs",
                 "zh": "LayerNorm 与 RMSNorm 的输出"}),
    FamilyEntry("cross-entropy-grad", "losses-activations",
                {"en": "Cross-entropy loss and its gradient",
                 "zh": "交叉熵损失及其梯度"}),
    FamilyEntry("kv-cache-bytes", "long-context",
                {"en": "Memory of the KV cache",
                 "zh": "KV 缓存的显存占用"}),
    FamilyEntry("positional-encoding", "long-context",
                {"en": "Sinusoidal positional encoding and RoPE",
                 "zh": "正弦位置编码与旋转位置编码（RoPE）"}),
    FamilyEntry("top-k-top-p", "language-models",
                {"en": "Top-k and top-p (nucleus) filtering",
                 "zh": "top-k 与 top-p（核采样）过滤"}),
    # part B: optimizers, schedules, initialization, RNNs, detection, conv backward, memory
    FamilyEntry("optimizer-step", "optimizers",
                {"en": "Parameters after SGD, Adam or AdamW steps",
                 "zh": "SGD、Adam、AdamW 更新后的参数"}),
    FamilyEntry("lr-schedule", "optimizers",
                {"en": "Learning rate of a PyTorch scheduler at step t",
                 "zh": "PyTorch 学习率调度器在第 t 步的学习率"}),
    FamilyEntry("init-bounds", "init-stability",
                {"en": "Scale of Xavier, Kaiming and default initialization",
                 "zh": "Xavier、Kaiming 与默认初始化的尺度"}),
    FamilyEntry("rnn-params", "sequence-models",
                {"en": "Parameters of RNN, LSTM and GRU layers",
                 "zh": "RNN、LSTM、GRU 层的参数量"}),
    FamilyEntry("iou-nms", "evaluation-detection",
                {"en": "IoU, GIoU and non-maximum suppression",
                 "zh": "交并比（IoU）、GIoU 与非极大值抑制（NMS）"}),
    FamilyEntry("conv-backward", "pooling-backprop",
                {"en": "Backward pass of a convolution: dX and dW",
                 "zh": "卷积的反向传播：dX 与 dW"}),
    FamilyEntry("training-memory", "init-stability",
                {"en": "Memory of weights, gradients and AdamW states",
                 "zh": "权重、梯度与 AdamW 状态的显存"}),
)

BY_NAME: dict[str, FamilyEntry] = {entry.name: entry for entry in CATALOG}
