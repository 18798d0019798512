"""Assignment 1 classifiers: k-nearest neighbours, linear SVM, softmax and a two-layer network (numpy only)."""
