"""The course's lifecycle around grading, judge side: generate the stubs from the solution, release the student
and Gradescope zips, the nbgrader course, course CI, the hidden tests' points, and the class gradebook."""
