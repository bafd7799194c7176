"""Draw the demo content's figures with Pillow (run once; the PNGs are committed).

.venv/bin/python topics/demo_content/figures/draw.py
"""

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
INK = (33, 41, 54)
MUTED = (120, 128, 140)
BLUE = (46, 94, 170)
ORANGE = (214, 122, 40)
PAPER = (255, 255, 255)


def font(size):
    return ImageFont.load_default(size=size)


def layered_network(draw, layers, box, dropped=frozenset(), radius=26):
    """Draw a fully connected feed-forward network inside box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    positions = []
    for i, count in enumerate(layers):
        x = x0 + (x1 - x0) * i / (len(layers) - 1)
        column = []
        for j in range(count):
            y = y0 + (y1 - y0) * (j + 1) / (count + 1)
            column.append((x, y))
        positions.append(column)
    for i in range(len(layers) - 1):
        for a, pa in enumerate(positions[i]):
            for b, pb in enumerate(positions[i + 1]):
                if (i, a) in dropped or (i + 1, b) in dropped:
                    continue
                draw.line([pa, pb], fill=(170, 178, 190), width=2)
    colours = [ORANGE] + [BLUE] * (len(layers) - 2) + [(60, 140, 90)]
    for i, column in enumerate(positions):
        for j, (x, y) in enumerate(column):
            bounds = [x - radius, y - radius, x + radius, y + radius]
            if (i, j) in dropped:
                draw.ellipse(bounds, fill=PAPER, outline=MUTED, width=3)
                r = radius * 0.6
                draw.line([x - r, y - r, x + r, y + r], fill=MUTED, width=4)
                draw.line([x - r, y + r, x + r, y - r], fill=MUTED, width=4)
            else:
                draw.ellipse(bounds, fill=colours[i], outline=INK, width=3)
    return positions


def multilayer_network():
    image = Image.new("RGB", (1600, 900), PAPER)
    draw = ImageDraw.Draw(image)
    layers = [4, 6, 6, 3]
    positions = layered_network(draw, layers, (220, 90, 1380, 800))
    names = ["Input layer", "Hidden layer 1", "Hidden layer 2", "Output layer"]
    for column, name in zip(positions, names, strict=True):
        x = column[0][0]
        draw.text((x, 850), name, fill=INK, font=font(34), anchor="mm")
    draw.text(
        (800, 40),
        "Each unit computes a weighted sum of the layer below, then a non-linearity",
        fill=MUTED,
        font=font(28),
        anchor="mm",
    )
    image.save(HERE / "multilayer-network.png", optimize=True)


def dropout_network():
    image = Image.new("RGB", (1600, 800), PAPER)
    draw = ImageDraw.Draw(image)
    layers = [4, 5, 5, 2]
    layered_network(draw, layers, (80, 80, 720, 700), radius=22)
    rng = random.Random(7)
    dropped = {
        (i, j) for i in (0, 1, 2) for j in range(layers[i]) if rng.random() < 0.4
    }
    layered_network(draw, layers, (880, 80, 1520, 700), dropped=dropped, radius=22)
    draw.text((400, 750), "(a) Full network", fill=INK, font=font(34), anchor="mm")
    draw.text(
        (1200, 750),
        "(b) One thinned network during training",
        fill=INK,
        font=font(34),
        anchor="mm",
    )
    image.save(HERE / "dropout-thinned-network.png", optimize=True)


def loss_contours():
    image = Image.new("RGB", (1200, 660), PAPER)
    draw = ImageDraw.Draw(image)
    cx, cy = 600, 330
    # f(x, y) = x^2 / 9 + y^2: an elongated bowl, level sets are ellipses.
    scale = 34
    for c in (0.5, 1.5, 3, 5, 8, 12, 17, 23, 30):
        a, b = 3 * math.sqrt(c) * scale, math.sqrt(c) * scale
        draw.ellipse([cx - a, cy - b, cx + a, cy + b], outline=(150, 170, 205), width=3)
    # Gradient descent with a step size large enough to zig-zag across the valley.
    x, y, step = -13.0, 4.0, 0.85
    points = []
    for _ in range(24):
        points.append((cx + x * scale, cy - y * scale))
        x, y = x - step * (2 * x / 9), y - step * (2 * y)
    draw.line(points, fill=ORANGE, width=5)
    for px, py in points:
        dot = [px - 9, py - 9, px + 9, py + 9]
        draw.ellipse(dot, fill=ORANGE, outline=INK, width=2)
    draw.ellipse([cx - 12, cy - 12, cx + 12, cy + 12], fill=INK)
    draw.text((cx + 20, cy + 20), "minimum", fill=INK, font=font(36))
    draw.text((points[0][0] + 20, points[0][1] - 50), "start", fill=INK, font=font(36))
    image.save(HERE / "gradient-descent-path.png", optimize=True)


if __name__ == "__main__":
    multilayer_network()
    dropout_network()
    loss_contours()
