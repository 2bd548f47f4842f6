# Prompt pools of the five 4DME micro-expression classes. The paper's template
# "a face with [CLS] micro expression" comes first in every pool, followed by a
# few prompts describing the same brief, low-intensity movement (the synthetic
# 4DME layout's AU patterns are documented in docs/datasets.md). Data only.
prompt_pools = dict(
    positive=['a face with positive micro expression',
              'a fleeting, subtle smile on a face',
              'a brief trace of happiness on a mostly neutral face',
              'a face with a barely visible positive reaction'],
    negative=['a face with negative micro expression',
              'a fleeting, subtle frown on a face',
              'a brief trace of displeasure on a mostly neutral face',
              'a face with a barely visible negative reaction'],
    surprise=['a face with surprise micro expression',
              'eyebrows raised for an instant in subtle surprise',
              'a brief trace of surprise on a mostly neutral face',
              'a face with a barely visible surprised reaction'],
    repression=['a face with repression micro expression',
                'a face briefly pressing its lips to hold back an emotion',
                'a suppressed emotion flickering across a face',
                'a face with a barely visible repressed reaction'],
    others=['a face with others micro expression',
            'a face with a subtle micro expression of no clear emotion',
            'a brief, ambiguous facial movement',
            'a face with a barely visible twitch'],
)
