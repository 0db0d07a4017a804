"""Non-English pages for the sample corpus (French, German, Spanish, Chinese, Russian).

The language-id stage must drop them, including the ones that carry math (a math classifier alone
would keep those). Each language has a math pool and an everyday pool with numeric slots.
"""

from __future__ import annotations

import random

from tools.sample_data.document import Article, Block

Rng = random.Random

POOLS: dict[str, dict[str, list[str]]] = {
    "fr": {
        "title_math": ["Exercices corrigés sur les équations du second degré", "Cours : suites et séries"],
        "math": [
            "On considère l'équation $x^2 - {s}x + {p} = 0$ dont le discriminant vaut $\\Delta = {d}$.",
            "Les deux racines sont donc $x_1 = {a}$ et $x_2 = {b}$, ce que l'on vérifie en remplaçant.",
            "Rappelons que la somme des racines est égale à $-b/a$ et que leur produit vaut $c/a$.",
            "Pour une suite géométrique de raison $q = {q}$, on a $u_n = u_0 \\cdot {q}^n$ pour tout entier $n$.",
            "La série $\\sum_{{n \\ge 1}} 1/n^{q}$ converge, contrairement à la série harmonique.",
            "Cet exercice est classique en terminale et tombe souvent au baccalauréat.",
        ],
        "title_general": ["Notre séjour à Lyon", "La recette du gratin de ma grand-mère"],
        "general": [
            "Nous sommes arrivés un samedi matin, après {n} heures de train depuis Paris.",
            "Le marché du quartier est ouvert tous les jours sauf le lundi, et les fromages y sont excellents.",
            "Il faut compter environ {m} euros pour un dîner simple dans un bouchon traditionnel.",
            "Préchauffez le four à {t} degrés et beurrez généreusement le plat.",
            "Coupez les pommes de terre en fines rondelles et ajoutez la crème fraîche.",
            "Laissez cuire pendant {m} minutes, jusqu'à ce que le dessus soit bien doré.",
        ],
    },
    "de": {
        "title_math": ["Lineare Gleichungssysteme einfach erklärt", "Übungsblatt Analysis: Ableitungen"],
        "math": [
            "Gegeben ist das Gleichungssystem ${a}x + y = {s}$ und $x - y = {d}$.",
            "Durch Addition beider Gleichungen erhält man sofort den Wert von $x$.",
            "Die Ableitung der Funktion $f(x) = x^{q}$ ist nach der Potenzregel $f'(x) = {q}x^{{{r}}}$.",
            "Ein Extremum liegt vor, wenn die erste Ableitung verschwindet und die zweite nicht.",
            "Für die Fläche unter der Kurve berechnen wir das Integral von $0$ bis ${b}$.",
            "Diese Aufgabe stammt aus der Abiturprüfung und ist etwas schwieriger als die vorherigen.",
        ],
        "title_general": ["Wandern im Schwarzwald", "Unser Lieblingsrezept für Apfelstrudel"],
        "general": [
            "Die Wanderung beginnt am Bahnhof und führt in etwa {n} Stunden auf den Gipfel.",
            "Unterwegs gibt es mehrere Hütten, in denen man gut und günstig essen kann.",
            "Das Wetter war wechselhaft, aber die Aussicht hat sich trotzdem gelohnt.",
            "Für den Teig braucht man {m} Gramm Mehl, etwas Salz und lauwarmes Wasser.",
            "Die Äpfel werden geschält, in dünne Scheiben geschnitten und mit Zimt vermischt.",
            "Der Strudel kommt für {m} Minuten bei {t} Grad in den Ofen.",
        ],
    },
    "es": {
        "title_math": ["Problemas resueltos de probabilidad", "Cómo calcular el área de un triángulo"],
        "math": [
            "Si lanzamos un dado {n} veces, la probabilidad de no obtener ningún seis es $(5/6)^{n}$.",
            "El número de combinaciones posibles viene dado por el coeficiente binomial $\\binom{{{m}}}{{{n}}}$.",
            "Recordemos que la probabilidad condicionada se define como $P(A|B) = P(A \\cap B)/P(B)$.",
            "El área de un triángulo de base ${a}$ y altura ${b}$ es igual a ${h}$ unidades cuadradas.",
            "Según el teorema de Pitágoras, $a^2 + b^2 = c^2$ en todo triángulo rectángulo.",
            "Este tipo de ejercicio aparece con frecuencia en los exámenes de selectividad.",
        ],
        "title_general": ["Un fin de semana en Sevilla", "Crónica del partido del domingo"],
        "general": [
            "Llegamos a Sevilla un viernes por la tarde y el calor era casi insoportable.",
            "Lo mejor del viaje fue pasear por el barrio de Santa Cruz al anochecer.",
            "Una cena para dos personas cuesta unos {m} euros en la zona del centro.",
            "El equipo local ganó por {n} goles a uno en un partido muy disputado.",
            "El entrenador dijo después que los jugadores habían demostrado mucho carácter.",
            "La próxima jornada se juega fuera de casa contra el líder de la liga.",
        ],
    },
    "zh": {
        "title_math": ["一元二次方程的解法", "数列与极限习题讲解"],
        "math": [
            "考虑方程 $x^2 - {s}x + {p} = 0$，它的判别式等于 ${d}$。",
            "因此方程的两个根分别是 ${a}$ 和 ${b}$，可以代入原方程进行验证。",
            "根据韦达定理，两根之和等于 ${s}$，两根之积等于 ${p}$。",
            "等比数列的通项公式为 $a_n = a_1 q^{{n-1}}$，其中公比 $q = {q}$。",
            "当 $n$ 趋于无穷大时，数列 $1/n^{q}$ 的极限为零。",
            "这道题是高考数学中的常见题型，希望同学们认真掌握。",
        ],
        "title_general": ["周末去杭州旅行", "家常红烧肉的做法"],
        "general": [
            "我们周六早上坐高铁出发，大约 {n} 个小时就到了杭州。",
            "西湖边的风景非常美，很多游客在湖边散步拍照。",
            "晚饭在一家本地小馆子吃的，两个人一共花了 {m} 元。",
            "先把五花肉切成小块，用冷水下锅焯一下去掉血水。",
            "锅里放少许油和冰糖，小火炒出糖色后再放入肉块。",
            "加入酱油和清水，盖上锅盖炖大约 {m} 分钟就可以出锅了。",
        ],
    },
    "ru": {
        "title_math": ["Решение квадратных уравнений", "Производная и её применение"],
        "math": [
            "Рассмотрим уравнение $x^2 - {s}x + {p} = 0$; его дискриминант равен ${d}$.",
            "Следовательно, корни уравнения равны ${a}$ и ${b}$, что легко проверить подстановкой.",
            "По теореме Виета сумма корней равна ${s}$, а произведение равно ${p}$.",
            "Производная функции $f(x) = x^{q}$ вычисляется по формуле $f'(x) = {q}x^{{{r}}}$.",
            "Если производная меняет знак с плюса на минус, то в этой точке находится максимум.",
            "Такие задачи часто встречаются на выпускном экзамене по математике.",
        ],
        "title_general": ["Поездка на Байкал", "Рецепт домашних пельменей"],
        "general": [
            "Мы приехали в Иркутск рано утром, а оттуда за {n} часа добрались до озера.",
            "Вода в Байкале удивительно прозрачная, но даже летом очень холодная.",
            "Номер в небольшой гостинице стоил около {m} рублей за ночь.",
            "Для теста понадобится мука, яйцо, щепотка соли и немного холодной воды.",
            "Фарш лучше делать из смеси говядины и свинины с луком и перцем.",
            "Готовые пельмени варят в подсоленной воде примерно {n} минут после всплытия.",
        ],
    },
}
LANGUAGES = sorted(POOLS)


def _values(rng: Rng) -> dict[str, int | str]:
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    q = rng.randint(2, 5)
    return {
        "a": a,
        "b": b,
        "s": a + b,
        "p": a * b,
        "d": (a - b) ** 2,
        "q": q,
        "r": q - 1,
        "h": f"{a * b / 2:g}",
        "n": rng.randint(2, 6),
        "m": rng.randint(10, 90),
        "t": rng.choice([180, 200, 220]),
    }


def foreign_article(rng: Rng, language: str, with_math: bool) -> Article:
    """A short article in ``language``: math exposition with LaTeX when ``with_math``, else everyday prose."""
    pool = POOLS[language]
    key = "math" if with_math else "general"
    values = _values(rng)
    sentences = [s.format(**values) for s in pool[key]]
    joiner = "" if language == "zh" else " "
    blocks = [Block("p", joiner.join(sentences[:3])), Block("p", joiner.join(sentences[3:]))]
    title = rng.choice(pool["title_" + key])
    return Article(title, f"{language}:{key}", blocks, is_math=with_math)
