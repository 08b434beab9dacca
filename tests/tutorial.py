"""The tutorial the book grows from, transcribed: each code cell, its chapter and what it printed.

Sources are the tutorial's cells verbatim; outputs are what the tutorial shows (stdout and the
displayed result, concatenated). The torch version in chapter 1 is ours, not the tutorial's.
"""

import torch

# (chapter file stem, cell source, printed output or None where the cell shows nothing)
CELLS = [
    ("01-what-is-autograd", "import torch\nprint(torch.__version__)", f"{torch.__version__}\n"),
    (
        "02-a-derivative-by-hand",
        "# Define a function representing dy/dx = 2x\ndef dy_dx(x):\n    return 2 * x\n\n"
        "# Compute derivative at x = 3\ndy_dx(3)",
        "6",
    ),
    (
        "03-gradients-with-autograd",
        "import torch\n\n# Create a tensor with gradient tracking enabled\n"
        "x = torch.tensor(3.0, requires_grad=True)\n\n# Define the function y = x^2\ny = x ** 2\n\n"
        '# View tensors\nprint("x ->", x)\nprint("y ->", y)',
        "x -> tensor(3., requires_grad=True)\ny -> tensor(9., grad_fn=<PowBackward0>)\n",
    ),
    (
        "03-gradients-with-autograd",
        "# Backpropagate to compute gradients\ny.backward()\n\n# Access the computed gradient (dy/dx = 2x)\nx.grad",
        "tensor(6.)",
    ),
    (
        "04-the-chain-rule",
        "import math\n\n# Manual derivative: dz/dx = 2x * cos(x^2)\ndef dz_dx(x):\n"
        "    return 2 * x * math.cos(x ** 2)\n\n# Evaluate at x = 4\ndz_dx(4)",
        "-7.661275842587077",
    ),
    (
        "04-the-chain-rule",
        "# PyTorch approach\nx = torch.tensor(4.0, requires_grad=True)\ny = x ** 2\nz = torch.sin(y)\n\n"
        '# View tensors\nprint("x ->", x)\nprint("y ->", y)\nprint("z ->", z)',
        "x -> tensor(4., requires_grad=True)\ny -> tensor(16., grad_fn=<PowBackward0>)\n"
        "z -> tensor(-0.2879, grad_fn=<SinBackward0>)\n",
    ),
    ("04-the-chain-rule", "# Compute gradients\nz.backward()", None),
    ("04-the-chain-rule", "# dz/dx as computed by autograd\nx.grad", "tensor(-7.6613)"),
    # The non-leaf warning goes to stderr: see NON_LEAF_WARNING below.
    ("04-the-chain-rule", "# y.grad will be None (it's not a leaf node)\ny.grad", None),
    (
        "04-the-chain-rule",
        "# PyTorch approach\nx = torch.tensor(4.0, requires_grad=True)\ny = x ** 2\n\n"
        "# In order to retain y, we need retain_grad()\ny.retain_grad()\nz = torch.sin(y)\n\n"
        "# Compute gradients\nz.backward()\n\n# Observing y.grad\nprint(y.grad)",
        "tensor(-0.9577)\n",
    ),
    (
        "05-a-neuron-by-hand",
        "# Inputs and targets\nx = torch.tensor(6.7)  # Input feature\n"
        "y = torch.tensor(0.0)  # Ground truth label\n\n# Parameters (no gradients for now)\n"
        "w = torch.tensor(1.0)\nb = torch.tensor(0.0)",
        None,
    ),
    (
        "05-a-neuron-by-hand",
        "##Binary Cross-Entropy Loss Function\ndef binary_cross_entropy_loss(prediction, target):\n"
        "    epsilon = 1e-8  # To prevent log(0)\n"
        "    prediction = torch.clamp(prediction, epsilon, 1 - epsilon)\n"
        "    return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))",
        None,
    ),
    ("05-a-neuron-by-hand", "# Forward pass\nz = w * x + b\ny_pred = torch.sigmoid(z)", None),
    ("05-a-neuron-by-hand", "# Compute loss\nloss = binary_cross_entropy_loss(y_pred, y)\nloss", "tensor(6.7012)"),
    (
        "05-a-neuron-by-hand",
        "# Manual gradients\ndloss_dy_pred = (y_pred - y) / (y_pred * (1 - y_pred))\n"
        "dy_pred_dz = y_pred * (1 - y_pred)\ndz_dw = x\ndz_db = 1\n\n# Final gradients\n"
        "dL_dw = dloss_dy_pred * dy_pred_dz * dz_dw\ndL_db = dloss_dy_pred * dy_pred_dz * dz_db\n\n"
        'print(f"Manual Gradient of loss w.r.t weight (dw): {dL_dw}")\n'
        'print(f"Manual Gradient of loss w.r.t bias (db): {dL_db}")',
        "Manual Gradient of loss w.r.t weight (dw): 6.691762447357178\n"
        "Manual Gradient of loss w.r.t bias (db): 0.998770534992218\n",
    ),
    (
        "06-a-neuron-with-autograd",
        "# Inputs and targets\nx = torch.tensor(6.7)  # Input feature\n"
        "y = torch.tensor(0.0)  # Ground truth label\n\n# Enable gradient tracking\n"
        "w = torch.tensor(1.0, requires_grad=True)\nb = torch.tensor(0.0, requires_grad=True)\n\n"
        "# Linear transformation and sigmoid\nz = w * x + b\ny_pred = torch.sigmoid(z)\n\n"
        "# Loss computation\nloss = binary_cross_entropy_loss(y_pred, y)\n\n# Backward pass\n"
        "loss.backward()\n\n# View gradients\n"
        'print("Pytorch Autograd Gradient w.r.t weight", w.grad)  # Should match manual dw\n'
        'print("Pytorch Autograd Gradient w.r.t bias", b.grad)  # Should match manual db\n\n'
        'print(f"Manual Gradient of loss w.r.t weight (dw): {dL_dw}")\n'
        'print(f"Manual Gradient of loss w.r.t bias (db): {dL_db}")',
        "Pytorch Autograd Gradient w.r.t weight tensor(6.6918)\n"
        "Pytorch Autograd Gradient w.r.t bias tensor(0.9988)\n"
        "Manual Gradient of loss w.r.t weight (dw): 6.691762447357178\n"
        "Manual Gradient of loss w.r.t bias (db): 0.998770534992218\n",
    ),
    (
        "07-the-gradient-of-a-mean",
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n\n# Function: mean of squared elements\n"
        "y = (x ** 2).mean()\n\n# Backward pass\ny.backward()\n\n# Gradients of y w.r.t x\nx.grad",
        "tensor([0.6667, 1.3333, 2.0000])",
    ),
    (
        "08-clearing-gradients",
        "x = torch.tensor(2.0, requires_grad=True)\ny = x ** 2\ny.backward()\n\n# View gradient\n"
        'print(f"gradient of x {x.grad}")\n\n# Clear the gradient manually\n'
        'print(f"gradient of x {x.grad.zero_()}")',
        "gradient of x 4.0\ngradient of x 0.0\n",
    ),
    (
        "09-turning-tracking-off",
        "# Option 1: requires_grad_(False)\nx = torch.tensor(2.0, requires_grad=True)\n"
        "x.requires_grad_(False)\n\n# No gradient tracking here\ny = x ** 2\n"
        'print("y = x**2 = without grad_fn ", y)',
        "y = x**2 = without grad_fn  tensor(4.)\n",
    ),
    (
        "09-turning-tracking-off",
        '# Option 2: detach()\nx = torch.tensor(2.0, requires_grad=True)\nprint("x", x)\n'
        "z = x.detach()  # Detach from computation graph\n\n# Computation on x\ny = x ** 2\n"
        'print("y = x**2 = with grad_fn ", y)\n\n# Computation on z will not be tracked\ny1 = z ** 2\n'
        'print("y1 = z**2 = without grad_fn ", y1)',
        "x tensor(2., requires_grad=True)\ny = x**2 = with grad_fn  tensor(4., grad_fn=<PowBackward0>)\n"
        "y1 = z**2 = without grad_fn  tensor(4.)\n",
    ),
    (
        "09-turning-tracking-off",
        "# Option 3: with torch.no_grad()\nx = torch.tensor(2.0, requires_grad=True)\n\n"
        'with torch.no_grad():\n    y = x ** 2\n    print("y = x**2 = without grad_fn ", y)',
        "y = x**2 = without grad_fn  tensor(4.)\n",
    ),
]

#: What chapter 4 shows for `y.grad` on a non-leaf tensor: PyTorch's warning, as a plain message.
NON_LEAF_WARNING = (
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
    ".grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access "
    "the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
