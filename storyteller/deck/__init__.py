"""The deck: a PowerPoint file of a report, made from the same context as the HTML and the PDF."""
