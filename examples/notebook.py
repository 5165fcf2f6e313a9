# %% [markdown]
# # Explaining a one-class SVM in a notebook with neuralize
#
# A notebook in the "percent" format (Jupyter, VS Code and jupytext open it as cells; it
# also runs as a script: `python examples/notebook.py`, pictures written to the current
# directory). Needs `pip install ./bindings/python scikit-learn pandas matplotlib`.

# %%
import matplotlib

matplotlib.use("Agg")  # drop this line in a notebook to see the figures inline
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

import neuralize

# %% [markdown]
# Fit on benign tumours only; malignant ones should look anomalous.

# %%
data = load_breast_cancer(as_frame=True)
frame = data.frame.drop(columns="target")
frame.columns = [c.replace(" ", "_") for c in frame.columns]
benign, malignant = frame[data.target == 1], frame[data.target == 0]
model = make_pipeline(StandardScaler(), OneClassSVM(gamma="scale", nu=0.1))
model.fit(benign.iloc[:250])

# %% [markdown]
# One call neuralizes the fitted pipeline; `explain` takes the DataFrame as it is (columns
# are matched by name). Each row's relevances sum to its outlierness
# `o = -log(sum_j alpha_j K(x, u_j) / rho)`, which is > 0 exactly for outliers.

# %%
ex = neuralize.Explainer(model)
rows = frame.loc[list(benign.index[250:300]) + list(malignant.index[:50])]
e = ex.explain(rows)
assert np.allclose(e.relevance.sum(axis=1), e.output)
print(ex.verify(rows))
table = e.to_pandas()
print(table.sort_values("outlierness", ascending=False).iloc[:5, :4])

# %% [markdown]
# The most anomalous row's top features, and the picture over all rows.

# %%
worst = int(np.argmax(e.output))
e.plot_bars(worst, top=10).savefig("notebook_bars.png")
e.plot_summary(top=12).savefig("notebook_summary.png")
