"""The question-answering engine: questions in, typed answers out.

It understands questions (``question``, ``gazetteer``, ``years``, ``statistic_match``), holds
every query the answers need (``lookup``, ``official``, ``overview``, ``sources``,
``passage_search``, ``chart_figures``), composes one typed answer per intent (``compose``,
``model``, ``wording``) and offers all of it through ``answerer.Answerer``. It imports no
front-end library: the command line and Telegram render its answers.
"""
